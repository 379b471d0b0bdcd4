package calendar

import (
	"bytes"
	"unicode/utf8"
)

// maxLine is the RFC 5545 §3.1 limit on a content line, in octets, without
// the CRLF.
const maxLine = 75

// foldLines folds every CRLF-terminated line of src longer than 75 octets
// (RFC 5545 §3.1): the rest continues on the next line after one space. It
// never splits a UTF-8 sequence, so each physical line stays valid UTF-8.
func foldLines(dst *bytes.Buffer, src []byte) {
	for len(src) > 0 {
		i := bytes.Index(src, []byte("\r\n"))
		line := src
		if i >= 0 {
			line, src = src[:i], src[i+2:]
		} else {
			src = nil
		}
		foldLine(dst, line)
	}
}

func foldLine(dst *bytes.Buffer, line []byte) {
	limit := maxLine
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		dst.Write(line[:cut])
		dst.WriteString("\r\n ")
		line = line[cut:]
		limit = maxLine - 1 // the leading space counts
	}
	dst.Write(line)
	dst.WriteString("\r\n")
}
