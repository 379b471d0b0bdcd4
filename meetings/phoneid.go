package meetings

import "strconv"

// phoneIDBase makes every phone meeting ID at least five digits long.
const phoneIDBase = 1000

// PhoneID is the numeric meeting ID a telephone caller types: the series
// ID (offset so that it has at least four digits) and a Luhn check digit,
// so that a mistyped digit is caught before it costs a PIN try. It is
// derived, not stored: it needs no migration, and every node of an
// intergroup derives the same one. It is public (feeds show it); the PIN
// is what guards a meeting.
func PhoneID(seriesID int64) string {
	s := strconv.FormatInt(seriesID+phoneIDBase, 10)
	return s + string(rune('0'+luhnDigit(s)))
}

// ParsePhoneID returns the series ID a phone meeting ID names.
func ParsePhoneID(id string) (int64, bool) {
	if len(id) < 5 || len(id) > 19 || id[0] == '0' {
		return 0, false
	}
	for _, c := range id {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	body := id[:len(id)-1]
	if int(id[len(id)-1]-'0') != luhnDigit(body) {
		return 0, false
	}
	n, err := strconv.ParseInt(body, 10, 64)
	if err != nil || n <= phoneIDBase {
		return 0, false
	}
	return n - phoneIDBase, true
}

// luhnDigit is the Luhn check digit of a string of digits.
func luhnDigit(s string) int {
	sum := 0
	double := true
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return (10 - sum%10) % 10
}
