// Every eval function Splunk's Search Reference lists ("Evaluation functions", 9.x and 10.x), by
// its category there. A Splunk function spelunk does not have yet is refused by name as "not
// supported yet", never as an unknown function (so a search from published content gets an
// honest answer); a name on neither list is an unknown function, with "did you mean".
// https://help.splunk.com/en/splunk-enterprise/spl-search-reference/9.4/evaluation-functions/evaluation-functions
export const SPLUNK_EVAL_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  'Bitwise': ['bit_and', 'bit_not', 'bit_or', 'bit_shift_left', 'bit_shift_right', 'bit_xor'],
  'Comparison and Conditional': ['case', 'cidrmatch', 'coalesce', 'false', 'if', 'in', 'like', 'lookup', 'match', 'null', 'nullif', 'searchmatch', 'true', 'validate'],
  'Conversion': ['ipmask', 'printf', 'tonumber', 'tostring'],
  'Cryptographic': ['md5', 'sha1', 'sha256', 'sha512'],
  'Date and Time': ['now', 'relative_time', 'strftime', 'strptime', 'time'],
  'Informational': ['isarray', 'isbool', 'isdouble', 'isint', 'isnotnull', 'isnull', 'isnum', 'isobject', 'isstr', 'typeof'],
  'JSON': [
    'json_append', 'json_array', 'json_array_to_mv', 'json_delete', 'json_entries', 'json_extend', 'json_extract', 'json_extract_exact',
    'json_has_key_exact', 'json_keys', 'json_object', 'json_set', 'json_set_exact', 'json_valid',
  ],
  'Mathematical': ['abs', 'ceiling', 'ceil', 'exact', 'exp', 'floor', 'ln', 'log', 'pi', 'pow', 'round', 'sigfig', 'sqrt', 'sum'],
  'Multivalue': ['commands', 'mvappend', 'mvcount', 'mvdedup', 'mvfilter', 'mvfind', 'mvindex', 'mvjoin', 'mvmap', 'mvrange', 'mvsort', 'mvzip', 'mv_to_json_array', 'split'],
  'Statistical': ['avg', 'max', 'min', 'random'],
  'Text': ['len', 'lower', 'ltrim', 'replace', 'rtrim', 'spath', 'substr', 'trim', 'upper', 'urldecode'],
  'Trig and Hyperbolic': ['acos', 'acosh', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'cos', 'cosh', 'hypot', 'sin', 'sinh', 'tan', 'tanh'],
};

const ALL = new Set(Object.values(SPLUNK_EVAL_FUNCTIONS).flat());

/** Whether `name` is one of Splunk's eval functions. */
export function isSplunkEvalFunction(name: string): boolean {
  return ALL.has(name);
}
