// Command estargz checks an eStargz layer with stargz-snapshotter's own reader (Debian's
// golang-github-containerd-stargz-snapshotter-dev): estargz.Open parses the footer and the TOC,
// VerifyTOC checks the TOC against the digest of the containerd.io/snapshot/stargz/toc.digest
// annotation, and every regular file is read through the Reader, chunk by chunk, each chunk
// checked by the TOC's verifier and the whole file against its digest.
//
// Usage: estargz BLOB TOC_DIGEST
package main

import (
	"fmt"
	"io"
	"os"
	"path"

	"github.com/containerd/stargz-snapshotter/estargz"
	digest "github.com/opencontainers/go-digest"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "estargz: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: estargz BLOB TOC_DIGEST")
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	st, _ := f.Stat()
	r, err := estargz.Open(io.NewSectionReader(f, 0, st.Size()))
	if err != nil {
		fail("Open: %v", err)
	}
	v, err := r.VerifyTOC(digest.Digest(os.Args[2]))
	if err != nil {
		fail("VerifyTOC: %v", err)
	}
	root, ok := r.Lookup("")
	if !ok {
		fail("no root in the TOC")
	}
	entries, regular := 0, 0
	var walk func(dir string, e *estargz.TOCEntry)
	walk = func(dir string, e *estargz.TOCEntry) {
		e.ForeachChild(func(base string, child *estargz.TOCEntry) bool {
			name := path.Join(dir, base)
			entries++
			switch child.Type {
			case "dir":
				walk(name, child)
			case "reg":
				regular++
				check(r, v, name, child)
			}
			return true
		})
	}
	walk("", root)
	fmt.Printf("ok: %d entries, %d regular files\n", entries, regular)
}

func check(r *estargz.Reader, v estargz.TOCEntryVerifier, name string, e *estargz.TOCEntry) {
	fr, err := r.OpenFile(name)
	if err != nil {
		fail("%s: OpenFile: %v", name, err)
	}
	data := make([]byte, e.Size)
	if _, err := fr.ReadAt(data, 0); err != nil && err != io.EOF {
		fail("%s: read: %v", name, err)
	}
	if got := digest.FromBytes(data).String(); got != e.Digest {
		fail("%s: digest %s, TOC says %s", name, got, e.Digest)
	}
	for off := int64(0); off < e.Size; {
		ce, ok := r.ChunkEntryForOffset(name, off)
		if !ok {
			fail("%s: no chunk at %d", name, off)
		}
		end := ce.ChunkOffset + ce.ChunkSize
		if ce.ChunkSize == 0 || end > e.Size {
			end = e.Size
		}
		verifier, err := v.Verifier(ce)
		if err != nil {
			fail("%s: %v", name, err)
		}
		verifier.Write(data[ce.ChunkOffset:end])
		if !verifier.Verified() {
			fail("%s: chunk %d..%d does not match its chunk digest", name, ce.ChunkOffset, end)
		}
		off = end
	}
}
