// Package front is the conformance front: a MongoDB wire-protocol proxy between every client and the embedded
// FerretDB v1.24.2, which stops the answers FerretDB gets wrong from reaching a client.
//
// The front speaks OP_MSG and the legacy OP_QUERY/OP_REPLY of the handshake. For each client connection it holds
// one connection to FerretDB and handles one request at a time. Most requests pass through untouched: the front
// reads the command name with a byte lookup, walks the documents once for values that would break the connection,
// forwards the message as it came and the reply as it comes, reusing its buffers. Authentication (saslStart,
// saslContinue) passes through unread, so the front never sees more than FerretDB does, and nothing it logs or
// answers holds a credential.
//
// What it does about FerretDB v1 (the table in rules.go has one entry per behaviour, with a comment naming it;
// rules_test.go shows each against the real server, through the front and straight to FerretDB):
//
//   - Fire-and-forget messages (OP_MSG moreToCome, w:0 writes): FerretDB replies anyway, and the Go driver would read
//     that reply as the answer to its next command. The front sends them as ordinary requests and throws the reply
//     away (front.go).
//   - Legacy OP_GET_MORE, OP_INSERT, OP_UPDATE, OP_DELETE, OP_KILL_CURSORS: FerretDB closes the connection. The
//     front answers OP_GET_MORE with a query failure and closes on the others without passing them on (front.go).
//   - NotImplemented (238), with a message that says what FerretDB gets wrong and what to use instead: a $group with
//     more than one accumulator or with an expression inside an array of its _id; field paths and nested
//     expressions in $project, $addFields, $set and find's projection, nested documents in $project, embedded
//     documents and dotted fields in $addFields and $set; $elemMatch with several conditions or in document form;
//     equality ($eq, $ne, $in, $nin) with a document outside _id; $push with $slice, $sort or $position; $pull with
//     a condition; $unset of an array element; -0.0 in written documents; an array under a unique index.
//   - BadValue (2) where FerretDB would close the connection: Decimal128, NaN, MinKey, MaxKey, JavaScript code,
//     symbol, undefined and DBPointer values, and a repeated operator key in one document. eval and mapReduce
//     answer CommandNotFound (59), and illegal index key fields ("", "$a", "a.$") CannotCreateIndex (67).
//   - Repairs (repairs.go, unique.go): maxTimeMS on distinct is stripped and enforced by the front
//     (MaxTimeMSExpired, 50), bypassDocumentValidation on delete stripped; an update with several statements runs
//     one statement at a time, so that n, nModified, upserted and writeErrors come out as MongoDB's; unique-index
//     violations reported as InternalError (1) become DuplicateKey (11000); a unique index over the name of an
//     existing non-unique one answers IndexOptionsConflict (85); an insert whose unique key is missing or null while
//     a stored document's is too gets a DuplicateKey write error (the front looks up a collection's unique indexes
//     once, and forgets them when a command changes indexes or collections); listDatabases lists admin; Go source
//     locations are cut from createIndexes errors.
//
// # Adding a rule
//
// A rule is one [Rule] value: the command names it applies to and one or more hooks (Refuse to answer an error
// instead, Serve to answer through an [Exchange] with FerretDB, Repair to correct the reply). The built-in rules are
// the table returned by builtinRules in rules.go. Another file adds its rules with one call from an init function,
// for example suite_rules.go:
//
//	func init() {
//		register(Rule{
//			// FerretDB v1 answers $sample with ... (conformance case NNN).
//			Name:     "$sample",
//			Commands: []string{"aggregate"},
//			Refuse: func(cmd *Command) *Error {
//				return stages(cmd, func(name string, _ bsoncore.Value) *Error {
//					if name == "$sample" {
//						return notImplemented("%s ...; use ... instead", ferret)
//					}
//					return nil
//				})
//			},
//		})
//	}
//
// A [Front] reads the table when it starts. Helpers for rules: [Command.Lookup], [Command.Docs] (an array field or
// a document sequence), stages (an aggregate's pipeline), updateDocs (the update documents of update and
// findAndModify), notImplemented and badValue (errors), without (a copy of a document without some fields).
package front
