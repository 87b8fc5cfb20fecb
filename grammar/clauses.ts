// Commands whose list-style arguments hold a clause in the search language. The parser reads such
// a clause into a search expression (an Arg of kind 'clause') instead of words, so the compiler
// never parses the search text again and every node keeps its place in the text.

export interface SearchClause {
  /** The word that opens the clause (unquoted, any case). */
  keyword: string;
  /** Unquoted words (any case) that end the clause; it also ends at `|`, `]` or the end. */
  until: string[];
}

export const SEARCH_CLAUSES: Readonly<Record<string, SearchClause>> = {
  // | tstats count from datamodel=X where <search> by <fields> (Splunk Search Reference, tstats)
  tstats: { keyword: 'where', until: ['by'] },
  // | inputlookup <name> where <search> (Splunk Search Reference, inputlookup)
  inputlookup: { keyword: 'where', until: [] },
};
