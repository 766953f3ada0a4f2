package main

// The flags and arguments that the Collection subcommands share: the options of the reads, of the writes and of
// find-and-modify, filters and documents, hints and collations.

import (
	"flag"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/gomotor/motor"
)

// queryFlags are the flags of the reads: find-one, count and distinct take the ones that their options have.
type queryFlags struct {
	projection, sort, hint, collation, comment string
	skip, limit                                int64
	maxTime                                    time.Duration
}

// register adds the flags of a read of documents: --projection and --sort with project (find, find-one), --skip,
// --limit with limit (find, count), --hint, and the common ones.
func (q *queryFlags) register(fs *flag.FlagSet, project, limit bool) {
	if project {
		fs.StringVar(&q.projection, "projection", "", "projection `document`, e.g. '{\"_id\": 0}'")
		fs.StringVar(&q.sort, "sort", "", "sort `document`, e.g. '{\"qty\": -1}'")
	}
	fs.Int64Var(&q.skip, "skip", 0, "skip the first `n` documents")
	if limit {
		fs.Int64Var(&q.limit, "limit", 0, "at most `n` documents (0: all)")
	}
	fs.StringVar(&q.hint, "hint", "", "the index to use: its `name` or its keys document, e.g. '{\"qty\": 1}'")
	q.registerCommon(fs)
}

// registerCommon adds --max-time, --collation and --comment.
func (q *queryFlags) registerCommon(fs *flag.FlagSet) {
	maxTimeFlag(fs, &q.maxTime, "query")
	fs.StringVar(&q.collation, "collation", "", "collation `document` of the string comparisons, e.g. '{\"locale\": \"en\", \"strength\": 2}'")
	commentFlagVar(fs, &q.comment)
}

// parse sets the options that the read has (a nil pointer: it has not).
func (q *queryFlags) parse(s *session, projection *any, sort *bson.D, skip, limit *int64, hint *any, maxTime *time.Duration, collation **options.Collation, comment *any) error {
	if q.skip < 0 || q.limit < 0 {
		return usageErrorf("--skip and --limit must not be negative")
	}
	if projection != nil {
		if err := s.optionalDoc("projection", q.projection, projection); err != nil {
			return err
		}
	}
	if sort != nil {
		if err := s.optionalSort(q.sort, sort); err != nil {
			return err
		}
	}
	if skip != nil {
		*skip = q.skip
	}
	if limit != nil {
		*limit = q.limit
	}
	if hint != nil {
		h, err := s.hint(q.hint)
		if err != nil {
			return err
		}
		*hint = h
	}
	*maxTime = q.maxTime
	c, err := s.collation(q.collation)
	if err != nil {
		return err
	}
	*collation = c
	setComment(comment, q.comment)
	return nil
}

// writeFlags are the flags of the writes.
type writeFlags struct {
	upsert, bypass                             bool
	hint, collation, let, comment, arrayFilter string
}

// register adds the flags of a write: --upsert and --bypass-document-validation with upsert (updates and
// replacements), --array-filters with arrays (updates), and --hint, --collation, --let and --comment.
func (w *writeFlags) register(fs *flag.FlagSet, upsert, arrays bool) {
	if upsert {
		fs.BoolVar(&w.upsert, "upsert", false, "insert a document made from the filter and the update when nothing matches")
		fs.BoolVar(&w.bypass, "bypass-document-validation", false, "skip the collection's validation rules")
	}
	if arrays {
		fs.StringVar(&w.arrayFilter, "array-filters", "", "`array` of filters for the $[identifier] array elements, e.g. '[{\"x.qty\": {\"$lt\": 1}}]'")
	}
	fs.StringVar(&w.hint, "hint", "", "the index to use: its `name` or its keys document, e.g. '{\"qty\": 1}'")
	fs.StringVar(&w.collation, "collation", "", "collation `document` of the filter's string comparisons, e.g. '{\"locale\": \"en\"}'")
	fs.StringVar(&w.let, "let", "", "variables `document` that the filter reads as $$name with $expr")
	commentFlagVar(fs, &w.comment)
}

// parse sets the options of a write (arrayFilters nil: it has none).
func (w *writeFlags) parse(s *session, hint *any, collation **options.Collation, let *any, comment *any, arrayFilters *[]any) error {
	h, err := s.hint(w.hint)
	if err != nil {
		return err
	}
	*hint = h
	if *collation, err = s.collation(w.collation); err != nil {
		return err
	}
	if err := s.optionalDoc("let", w.let, let); err != nil {
		return err
	}
	setComment(comment, w.comment)
	if arrayFilters != nil && w.arrayFilter != "" {
		src, err := s.jsonInput("array filters", w.arrayFilter)
		if err != nil {
			return err
		}
		a, err := parseArray("array filters", src)
		if err != nil {
			return err
		}
		*arrayFilters = a
	}
	return nil
}

// famFlags are the flags of the find-one-and commands.
type famFlags struct {
	w          writeFlags
	projection string
	sort       string
	returnDoc  string
	maxTime    time.Duration
}

// register adds the flags of a find-one-and command: upsert for update and replace, arrays for update.
func (f *famFlags) register(fs *flag.FlagSet, upsert, arrays bool) {
	fs.StringVar(&f.projection, "projection", "", "projection `document` of the printed document, e.g. '{\"_id\": 0}'")
	fs.StringVar(&f.sort, "sort", "", "sort `document` that picks the document when several match, e.g. '{\"qty\": -1}'")
	if upsert {
		fs.StringVar(&f.returnDoc, "return-document", "before", "print the document `before` the change or after it")
	}
	maxTimeFlag(fs, &f.maxTime, "command")
	f.w.register(fs, upsert, arrays)
}

// parse sets the options of a find-one-and command (returnDoc and arrayFilters nil: it has none).
func (f *famFlags) parse(s *session, o *motor.FindOneAndOptions, returnDoc *motor.ReturnDocument, arrayFilters *[]any) error {
	if err := s.optionalDoc("projection", f.projection, &o.Projection); err != nil {
		return err
	}
	if err := s.optionalSort(f.sort, &o.Sort); err != nil {
		return err
	}
	if returnDoc != nil {
		switch strings.ToLower(f.returnDoc) {
		case "before":
			*returnDoc = motor.ReturnDocumentBefore
		case "after":
			*returnDoc = motor.ReturnDocumentAfter
		default:
			return usageErrorf("--return-document must be before or after, not %q", f.returnDoc)
		}
	}
	o.MaxTime = f.maxTime
	return f.w.parse(s, &o.Hint, &o.Collation, &o.Let, &o.Comment, arrayFilters)
}

// optionalFilter parses the filter argument at index i of args, if there is one: {} otherwise.
func (s *session) optionalFilter(args []string, i int) (bson.D, error) {
	if len(args) <= i {
		return bson.D{}, nil
	}
	return s.doc("filter", args[i])
}

// documents reads a DOCUMENTS or MODELS argument named what (JSON, or - for standard input: one document, an array of
// documents or one per line): the documents in order, and whether it was one lone document.
func (s *session) documents(what, arg string) (docs []bson.D, one bool, err error) {
	src, err := s.jsonInput(what, arg)
	if err != nil {
		return nil, false, err
	}
	values, err := parseDocs(what, src)
	if err != nil {
		return nil, false, err
	}
	for _, v := range values {
		if v.array {
			docs = append(docs, v.items...)
		} else {
			docs = append(docs, v.doc)
		}
	}
	return docs, len(values) == 1 && !values[0].array, nil
}

// filterAnd parses the FILTER argument args[1] and, with second (s.update or s.replacement), the UPDATE or
// REPLACEMENT argument args[2]: the arguments of the updates and replacements.
func (s *session) filterAnd(args []string, second func(arg string) (any, error)) (filter bson.D, doc any, err error) {
	if filter, err = s.doc("filter", args[1]); err != nil {
		return nil, nil, err
	}
	if doc, err = second(args[2]); err != nil {
		return nil, nil, err
	}
	return filter, doc, nil
}

// replacement parses a replacement argument: one document.
func (s *session) replacement(arg string) (any, error) {
	return s.doc("replacement", arg)
}

// optionalSort parses --sort into dst, if it is set.
func (s *session) optionalSort(arg string, dst *bson.D) error {
	if arg == "" {
		return nil
	}
	d, err := s.doc("sort", arg)
	if err != nil {
		return err
	}
	*dst = d
	return nil
}

// commentHelp is the help text of every --comment.
const commentHelp = "a `comment` for the server's logs and profiler"

// commentFlag adds --comment.
func commentFlag(fs *flag.FlagSet) *string {
	return fs.String("comment", "", commentHelp)
}

// commentFlagVar adds --comment, stored in p.
func commentFlagVar(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "comment", "", commentHelp)
}

// setComment sets an options' Comment to --comment's value, if it is set (Comment stays nil otherwise).
func setComment(dst *any, comment string) {
	if comment != "" {
		*dst = comment
	}
}

// maxTimeFlag adds --max-time, stored in p; what is what it bounds: "query" or "command".
func maxTimeFlag(fs *flag.FlagSet, p *time.Duration, what string) {
	fs.DurationVar(p, "max-time", 0, "bound the server's time on the "+what+" (maxTimeMS), e.g. 2s")
}

// update parses an update argument: a document of update operators, or an aggregation pipeline (an array).
func (s *session) update(arg string) (any, error) {
	src, err := s.jsonInput("update", arg)
	if err != nil {
		return nil, err
	}
	values, err := parseDocs("update", src)
	if err != nil {
		return nil, err
	}
	if len(values) != 1 {
		return nil, usageErrorf("the update must be one JSON document or one pipeline array, not %s", describe(values))
	}
	if values[0].array {
		a := make(bson.A, len(values[0].items))
		for i, d := range values[0].items {
			a[i] = d
		}
		return a, nil
	}
	return values[0].doc, nil
}

// hint parses --hint: an index name, or its keys as a JSON document.
func (s *session) hint(arg string) (any, error) {
	if arg == "" {
		return nil, nil
	}
	if t := strings.TrimSpace(arg); strings.HasPrefix(t, "{") || t == "-" {
		return s.doc("hint", arg)
	}
	return arg, nil
}

// collation parses --collation: a JSON document with the fields of a collation ({locale, caseLevel, caseFirst,
// strength, numericOrdering, alternate, maxVariable, normalization, backwards}).
func (s *session) collation(arg string) (*options.Collation, error) {
	if arg == "" {
		return nil, nil
	}
	d, err := s.doc("collation", arg)
	if err != nil {
		return nil, err
	}
	return parseCollation("--collation", d)
}

// parseCollation reads a collation document; what names it in errors.
func parseCollation(what string, d bson.D) (*options.Collation, error) {
	var c struct {
		Locale          string `bson:"locale"`
		CaseLevel       bool   `bson:"caseLevel"`
		CaseFirst       string `bson:"caseFirst"`
		Strength        int    `bson:"strength"`
		NumericOrdering bool   `bson:"numericOrdering"`
		Alternate       string `bson:"alternate"`
		MaxVariable     string `bson:"maxVariable"`
		Normalization   bool   `bson:"normalization"`
		Backwards       bool   `bson:"backwards"`
	}
	known := []string{"locale", "caseLevel", "caseFirst", "strength", "numericOrdering", "alternate", "maxVariable", "normalization", "backwards"}
	for _, e := range d {
		if !slices.Contains(known, e.Key) {
			return nil, usageErrorf("%s has no field %q (it has %s)", what, e.Key, strings.Join(known, ", "))
		}
	}
	raw, err := bson.Marshal(d)
	if err == nil {
		err = bson.Unmarshal(raw, &c)
	}
	if err != nil {
		return nil, usageErrorf("bad %s: %v", what, err)
	}
	if c.Locale == "" {
		return nil, usageErrorf("%s needs a locale, e.g. {\"locale\": \"en\"}", what)
	}
	o := options.Collation(c)
	return &o, nil
}
