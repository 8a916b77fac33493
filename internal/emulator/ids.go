package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Exchange ids are URL-safe base64 with '=' padding. The prefixes below are the
// leading bytes of real ids: conversation and thread ids start "AAQkA", post
// ids start "AAMkA". The lengths are chosen so the padding matches the samples
// in Graph's docs: a byte length ≡ 2 (mod 3) encodes with one '=', ≡ 1 (mod 3)
// with "==".
var (
	conversationIDPrefix = []byte{0x00, 0x04, 0x24, 0x00}
	threadIDPrefix       = []byte{0x00, 0x04, 0x24, 0x00}
	postIDPrefix         = []byte{0x00, 0x03, 0x24, 0x00}
)

const (
	conversationIDBytes = 50  // 68 characters ending in "="
	threadIDBytes       = 76  // 104 characters ending in "=="
	postIDBytes         = 104 // 140 characters ending in "="
	changeKeyBytes      = 30  // 40 characters, no padding
	minIDLength         = 8
)

// newExchangeID draws ids from the store's seeded source until one contains a
// '-' or '_' before its padding. Real ids often do, and a client that mangles
// those characters (or the '=' padding) should fail against the emulator
// rather than only in production. The caller must hold the store lock.
func (st *store) newExchangeID(prefix []byte, size int) string {
	buf := make([]byte, size)
	for {
		copy(buf, prefix)
		for i := len(prefix); i < size; i++ {
			buf[i] = byte(st.rng.Uint32())
		}
		id := base64.URLEncoding.EncodeToString(buf)
		if strings.ContainsAny(strings.TrimRight(id, "="), "-_") && !st.idTaken(id) {
			return id
		}
	}
}

// newChangeKey returns a version stamp shaped like an Exchange changeKey. The
// caller must hold the store lock.
func (st *store) newChangeKey() string {
	buf := make([]byte, changeKeyBytes)
	copy(buf, []byte{0x0b, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00})
	for i := 8; i < len(buf); i++ {
		buf[i] = byte(st.rng.Uint32())
	}
	return base64.StdEncoding.EncodeToString(buf)
}

// newGUID returns a lowercase version 4 GUID from the seeded source, so group
// ids are reproducible for a given Options.Seed. The caller must hold the
// store lock.
func (st *store) newGUID() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(st.rng.Uint32())
	}
	return formatUUID(b)
}

// newRequestID returns a random version 4 UUID for the request-id header.
// Request ids need not be reproducible, and using crypto/rand keeps request
// handling off the store lock.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// isGUID reports whether s is a GUID in 8-4-4-4-12 form, in either case.
// Directory object ids are GUIDs; anything else is answered with
// Request_BadRequest "Invalid object identifier".
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHexDigit(c) {
				return false
			}
		}
	}
	return true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isWellFormedExchangeID reports whether s could be an Exchange id: URL-safe
// base64 with correct '=' padding and at least minIDLength characters. The
// alphabet is checked by hand because the base64 decoder silently skips '\r'
// and '\n', which would let such ids through.
func isWellFormedExchangeID(s string) bool {
	if len(s) < minIDLength || len(s)%4 != 0 {
		return false
	}
	body := strings.TrimRight(s, "=")
	if len(s)-len(body) > 2 {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	_, err := base64.URLEncoding.Strict().DecodeString(s)
	return err == nil
}
