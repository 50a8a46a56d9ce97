// Package protofuzz holds the protocol-level fuzzer: random but
// well-formed requests to every route of every face of a running usersd,
// failing on any 5xx, a body not well-formed for its Content-Type, a
// missing Content-Type or a dropped connection. The code is all in its
// test files; see TestProtocolFuzz.
package protofuzz
