package gridfs_test

// The handler in a real browser: headless Chromium (Debian's chromium) loads a page from an httptest server whose
// image and sound are stored in GridFS. The page waits for the image to decode and seeks in the sound, then posts
// what it saw to the server; the test asserts both, and that the seek was served by a range request that skipped the
// start of the file. A WAV in an
// <audio> element stands in for a video: seeking a media element works the same way for both, and a WAV can be made
// here without an encoder (no ffmpeg is installed). The test skips, saying why, when chromium is not installed.

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomotor/motor/gridfs"
)

// wav returns seconds of a 440 Hz tone as a 16-bit mono PCM WAV at rate samples per second.
func wav(seconds, rate int) []byte {
	n := seconds * rate
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("RIFF")
	_ = binary.Write(&b, le, uint32(36+2*n))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(2 * rate), uint16(2), uint16(16)} {
		_ = binary.Write(&b, le, v) // fmt chunk: PCM, mono, rate, byte rate, block align, 16 bits
	}
	b.WriteString("data")
	_ = binary.Write(&b, le, uint32(2*n))
	for i := range n {
		_ = binary.Write(&b, le, int16(8000*math.Sin(2*math.Pi*440*float64(i)/float64(rate))))
	}
	return b.Bytes()
}

const browserPage = `<!doctype html>
<html><head><title>gridfs</title></head><body>
<img id="img" src="/files/picture.png">
<audio id="snd" preload="metadata" src="/files/tone.wav"></audio>
<script>
const img = document.getElementById("img");
const snd = document.getElementById("snd");
const lines = [];
const image = img.decode().then(() => lines.push("image " + img.naturalWidth + "x" + img.naturalHeight),
	e => lines.push("image error " + e));
const sound = new Promise(done => {
	snd.addEventListener("loadedmetadata", () => { lines.push("duration " + Math.round(snd.duration)); snd.currentTime = 25; });
	snd.addEventListener("seeked", () => { lines.push("seeked " + Math.round(snd.currentTime)); done(); });
	snd.addEventListener("error", () => { lines.push("audio error " + (snd.error && snd.error.message)); done(); });
});
// Report what the page saw once both are done, or after 20 s.
Promise.race([Promise.all([image, sound]), new Promise(r => setTimeout(r, 20000))])
	.then(() => fetch("/report", {method: "POST", body: lines.join("\n")}));
</script></body></html>`

func TestBrowser(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install -y chromium): " + err.Error())
	}
	b, _, _ := newBucket(t, &gridfs.BucketOptions{ChunkSize: 64 * 1024})
	ctx := t.Context()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, color.RGBA{R: uint8(6 * x), G: uint8(8 * y), B: 200, A: 255})
		}
	}
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	const rate = 8000
	sound := wav(30, rate)
	for name, data := range map[string][]byte{"picture.png": pic.Bytes(), "tone.wav": sound} {
		if _, err := b.UploadFromStream(ctx, name, bytes.NewReader(data), nil); err != nil {
			t.Fatal(err)
		}
	}

	var mu sync.Mutex
	var ranges []string // the Range headers of the requests for tone.wav
	files := &gridfs.Handler{Bucket: b}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /files/{filename...}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("filename") == "tone.wav" {
			mu.Lock()
			ranges = append(ranges, r.Header.Get("Range"))
			mu.Unlock()
		}
		files.ServeHTTP(w, r)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, browserPage)
	})
	report := make(chan string, 1)
	mux.HandleFunc("POST /report", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		select {
		case report <- string(body):
		default:
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// Chromium runs until the page has reported what it saw, then it is stopped.
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	cmd := exec.CommandContext(cctx, chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--mute-audio",
		"--no-first-run", "--user-data-dir="+t.TempDir(), srv.URL+"/")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var log string
	select {
	case log = <-report:
	case <-time.After(60 * time.Second):
		t.Errorf("the page reported nothing in 60 s; chromium said:\n%s", stderr.String())
	}
	stop()
	_ = cmd.Wait()
	t.Logf("page:\n%s", log)
	t.Logf("range requests for tone.wav: %q", ranges)
	for _, want := range []string{"image 40x30", "duration 30", "seeked 25"} {
		if !strings.Contains(log, want) {
			t.Errorf("the page says %q, want %q", log, want)
		}
	}
	// The seek to 25 s is a range request from about byte 44 + 25*rate*2, far past the first chunks.
	seekAt := int64(25 * rate * 2)
	served := false
	mu.Lock()
	for _, r := range ranges {
		if m := regexp.MustCompile(`^bytes=(\d+)-`).FindStringSubmatch(r); m != nil {
			if from, _ := strconv.ParseInt(m[1], 10, 64); from >= seekAt-64*1024 && from <= seekAt+64*1024 {
				served = true
			}
		}
	}
	mu.Unlock()
	if !served {
		t.Errorf("no range request near byte %d among %q", seekAt, ranges)
	}
}
