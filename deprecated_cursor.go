package motor

// CommandCursor is the former name of the cursor over a command's results ([Database.CommandCursor],
// [Database.ListCollections]): PyMongo's CommandCursor and Motor's AsyncIOMotorCommandCursor. It is now the same
// type as [Cursor], with every method of it, so code that names *CommandCursor keeps compiling and works unchanged.
//
// Deprecated: use [Cursor]. Every motor call that returns documents through a server cursor (Find, Aggregate,
// ListIndexes, ListCollections, CommandCursor) returns a *Cursor since the collection reads were added, because the
// find and command cursors behave the same once open and one type lets code iterate any of them; CommandCursor
// remains as an alias only.
//
//go:fix inline
type CommandCursor = Cursor
