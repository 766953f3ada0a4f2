// Package conformance holds a test suite, and nothing else: it runs MongoDB's behaviour, as MongoDB documents it,
// against the embedded server ([github.com/gomotor/motor/embedded]) through the Go driver, and checks that the
// server never gives a wrong answer.
//
// Each case is a query, update or aggregation operator or stage, a write concern or an error code, with MongoDB's
// documented answer: the documents it returns, the reply fields, the collection's contents afterwards, or the error
// code. Each case ends in exactly one of three outcomes:
//
//   - correct: the server gives MongoDB's answer;
//   - refused: the server answers with an error whose code says that something is not supported (238
//     NotImplemented, 115 CommandNotSupported, 59 CommandNotFound), or a BadValue (2) that names the embedded
//     server, and whose message names what is not supported;
//   - wrong: any other answer, a dropped connection or no answer in time.
//
// A wrong answer fails the test. The suite also runs MongoDB's unified CRUD specification tests in testdata/crud,
// and checks the table in the root README's section "What the embedded server cannot do" against what it refuses
// (go test -update rewrites that table).
//
//	go test ./conformance              # from the embedded module
//	go test ./conformance -v -run 'TestConformance/cases/query'
//	MONGODB_URI=mongodb://... go test ./conformance      # against a standalone MongoDB 7.0: every case must be correct
//	CONFORMANCE_URI=mongodb://... go test ./conformance  # against another FerretDB-based server (motor serve)
//	CONFORMANCE_RAW=1 go test ./conformance              # against FerretDB without the front: its wrong answers
//
// The answers are those of a standalone MongoDB 7.0, the version and topology that the embedded server reports: on a
// replica set, transactions and change streams work, where a standalone answers IllegalOperation (20) and 40573.
package conformance
