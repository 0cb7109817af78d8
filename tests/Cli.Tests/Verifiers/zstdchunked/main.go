// Command zstdchunked checks a zstd:chunked layer with containers/storage's own reader
// (Debian's golang-github-containers-storage-dev): chunked.GetDiffer finds the TOC through the
// layer annotations, checks its sha256 against the manifest-checksum annotation and decompresses
// it (readZstdChunkedManifest). Every file's frames are then decoded from the offsets the TOC
// gives and checked against its size and digest, every chunk against its chunk digest; and
// tar-split's assembler (vbatts/tar-split asm.NewOutputTarStream, which checks each file's CRC-64)
// rebuilds the tar from the tar-split data and the files, whose sha256 must be the diffID.
//
// Usage: zstdchunked BLOB DESCRIPTOR.json
// where DESCRIPTOR.json is the layer descriptor ParallelDiff prints (annotations included).
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/containers/storage"
	"github.com/containers/storage/pkg/chunked"
	"github.com/klauspost/compress/zstd"
	digest "github.com/opencontainers/go-digest"
	"github.com/vbatts/tar-split/tar/asm"
	tsstorage "github.com/vbatts/tar-split/tar/storage"
)

// fakeStore: GetDiffer only asks the store for its layers (the layers cache, for deduplication).
type fakeStore struct{ storage.Store }

func (fakeStore) Layers() ([]storage.Layer, error) { return nil, nil }

type blobSource struct{ f *os.File }

func (b blobSource) GetBlobAt(chunks []chunked.ImageSourceChunk) (chan io.ReadCloser, chan error, error) {
	streams := make(chan io.ReadCloser, len(chunks))
	errs := make(chan error, 1)
	for _, c := range chunks {
		streams <- io.NopCloser(io.NewSectionReader(b.f, int64(c.Offset), int64(c.Length)))
	}
	close(streams)
	// errs stays open: readZstdChunkedManifest selects on both channels, and a closed one would
	// win half the time with a nil error.
	return streams, errs, nil
}

type entry struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	Digest      string `json:"digest"`
	Offset      int64  `json:"offset"`
	EndOffset   int64  `json:"endOffset"`
	ChunkSize   int64  `json:"chunkSize"`
	ChunkOffset int64  `json:"chunkOffset"`
	ChunkDigest string `json:"chunkDigest"`
}

type toc struct {
	Version        int     `json:"version"`
	Entries        []entry `json:"entries"`
	TarSplitDigest string  `json:"tarSplitDigest"`
}

type descriptor struct {
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "zstdchunked: "+format+"\n", args...)
	os.Exit(1)
}

func decode(f *os.File, from, to int64) []byte {
	dec, err := zstd.NewReader(io.NewSectionReader(f, from, to-from))
	if err != nil {
		fail("zstd reader: %v", err)
	}
	defer dec.Close()
	data, err := io.ReadAll(dec)
	if err != nil {
		fail("decoding bytes %d..%d: %v", from, to, err)
	}
	return data
}

// files hands tar-split's assembler the data of the TOC's non-empty regular files in TOC order,
// which is tar order: it asks for them in that order. A name that is not UTF-8 is in tar-split as
// name_raw but in the TOC as JSON can carry it (invalid bytes replaced), so only valid names are compared.
type file struct {
	name string
	data []byte
}

type files struct{ next []file }

func (fs *files) Get(name string) (io.ReadCloser, error) {
	if len(fs.next) == 0 {
		return nil, fmt.Errorf("tar-split asks for %q after the TOC's last file", name)
	}
	f := fs.next[0]
	fs.next = fs.next[1:]
	if utf8.ValidString(name) && name != f.name {
		return nil, fmt.Errorf("tar-split asks for %q where the TOC has %q", name, f.name)
	}
	return io.NopCloser(bytes.NewReader(f.data)), nil
}

func main() {
	if len(os.Args) != 3 {
		fail("usage: zstdchunked BLOB DESCRIPTOR.json")
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	st, _ := f.Stat()
	raw, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail("%v", err)
	}
	var desc descriptor
	if err := json.Unmarshal(raw, &desc); err != nil {
		fail("descriptor: %v", err)
	}

	differ, err := chunked.GetDiffer(context.Background(), fakeStore{}, st.Size(), desc.Annotations, blobSource{f})
	if err != nil {
		fail("GetDiffer: %v", err)
	}
	// The differ keeps the manifest it read and verified; ApplyDiff would need a configured store.
	manifest := reflect.ValueOf(differ).Elem().FieldByName("manifest").Bytes()
	var t toc
	if err := json.Unmarshal(manifest, &t); err != nil {
		fail("TOC: %v", err)
	}
	if t.Version != 1 {
		fail("TOC version %d", t.Version)
	}

	contents := &files{}
	regular := 0
	for i := 0; i < len(t.Entries); i++ {
		e := t.Entries[i]
		if e.Type != "reg" {
			continue
		}
		regular++
		if e.Size == 0 {
			continue
		}
		data := decode(f, e.Offset, e.EndOffset)
		if int64(len(data)) != e.Size {
			fail("%s: %d bytes in its frames, size %d", e.Name, len(data), e.Size)
		}
		if got := digest.FromBytes(data).String(); got != e.Digest {
			fail("%s: digest %s, TOC says %s", e.Name, got, e.Digest)
		}
		contents.next = append(contents.next, file{e.Name, data})
		if e.ChunkDigest == "" {
			continue
		}
		// The file's own entry is its first chunk; "chunk" entries follow it.
		chunks := []entry{e}
		for i+1 < len(t.Entries) && t.Entries[i+1].Type == "chunk" {
			i++
			chunks = append(chunks, t.Entries[i])
		}
		for k, c := range chunks {
			end := e.EndOffset
			if k+1 < len(chunks) {
				end = chunks[k+1].Offset
			}
			part := decode(f, c.Offset, end)
			if int64(len(part)) != c.ChunkSize || !bytes.Equal(part, data[c.ChunkOffset:c.ChunkOffset+c.ChunkSize]) {
				fail("%s: chunk at %d does not hold the file's bytes %d..%d", e.Name, c.Offset, c.ChunkOffset, c.ChunkOffset+c.ChunkSize)
			}
			if got := digest.FromBytes(part).String(); got != c.ChunkDigest {
				fail("%s: chunk digest %s, TOC says %s", e.Name, got, c.ChunkDigest)
			}
		}
	}

	// tar-split: its position annotation, its digest in the TOC, and the tar it rebuilds.
	position := strings.Split(desc.Annotations["io.github.containers.zstd-chunked.tarsplit-position"], ":")
	if len(position) != 3 {
		fail("tarsplit-position annotation %q", desc.Annotations["io.github.containers.zstd-chunked.tarsplit-position"])
	}
	offset, _ := strconv.ParseInt(position[0], 10, 64)
	length, _ := strconv.ParseInt(position[1], 10, 64)
	compressed := make([]byte, length)
	if _, err := f.ReadAt(compressed, offset); err != nil {
		fail("tar-split: %v", err)
	}
	if got := digest.FromBytes(compressed).String(); got != t.TarSplitDigest {
		fail("tar-split digest %s, TOC says %s", got, t.TarSplitDigest)
	}
	dec, _ := zstd.NewReader(bytes.NewReader(compressed))
	tarStream := asm.NewOutputTarStream(contents, tsstorage.NewJSONUnpacker(dec))
	h := sha256.New()
	if _, err := io.Copy(h, tarStream); err != nil {
		fail("tar-split assembly: %v", err)
	}
	if len(contents.next) != 0 {
		fail("tar-split did not ask for %d of the TOC's files, the first %q", len(contents.next), contents.next[0].name)
	}
	diffID := fmt.Sprintf("sha256:%x", h.Sum(nil))
	if want := desc.Annotations["containerd.io/uncompressed"]; diffID != want {
		fail("tar-split rebuilds a tar of %s, the diffID is %s", diffID, want)
	}
	fmt.Printf("ok: %d entries, %d regular files, tar-split rebuilds %s\n", len(t.Entries), regular, diffID)
}
