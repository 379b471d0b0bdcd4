package api

import (
	"embed"
	"io/fs"
	"net/http"
)

// docsFiles is the API documentation page: Swagger UI (npm swagger-ui-dist,
// pinned by docsui/package-lock.json) served from the binary, so /docs works
// offline and makes no request to another host.
//
//go:embed docsui/dist
var docsFiles embed.FS

// mountDocs serves the documentation page at /docs and its assets below it.
func mountDocs(mux *http.ServeMux) {
	dist, err := fs.Sub(docsFiles, "docsui/dist")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.StripPrefix("/docs/", http.FileServerFS(dist))
	mux.HandleFunc("GET /docs", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, dist, "index.html")
	})
	mux.Handle("GET /docs/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))
}
