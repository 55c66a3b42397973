package store

// SummarizeRows exposes the GROUP BY path of Summarize, so that tests can
// hold the database's tallies against it.
var SummarizeRows = (*Store).summarizeRows
