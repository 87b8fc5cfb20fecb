// Every command of Splunk's SPL, as data: the Search Reference's command list (Splunk
// Enterprise 9.x/10.x, "Command quick reference"), plus the commands of apps analysts meet in
// published content (Machine Learning Toolkit, DB Connect, Splunk Enterprise Security). A name
// here that spelunk does not run is refused as "not supported yet", never "unknown command".
export const SPLUNK_COMMANDS: readonly string[] = [
  'abstract', 'accum', 'addcoltotals', 'addinfo', 'addtotals', 'analyzefields', 'anomalies', 'anomalousvalue',
  'anomalydetection', 'append', 'appendcols', 'appendpipe', 'arules', 'associate', 'audit', 'autoregress',
  'awssnsalert', 'bin', 'bucket', 'bucketdir', 'cefout', 'chart', 'cluster', 'cofilter', 'collect',
  'concurrency', 'contingency', 'convert', 'correlate', 'ctable', 'counttable', 'datamodel', 'datamodelsimple',
  'dbinspect', 'dbxquery', 'dbxlookup', 'dbxoutput', 'dedup', 'delete', 'delta', 'diff', 'discretize', 'dump',
  'erex', 'eval', 'eventcount', 'eventstats', 'extract', 'fieldformat', 'fields', 'fieldsummary', 'filldown',
  'fillnull', 'findtypes', 'folderize', 'foreach', 'format', 'from', 'fromjson', 'gauge', 'gentimes', 'geom',
  'geomfilter', 'geostats', 'head', 'highlight', 'history', 'iconify', 'inputcsv', 'inputintelligence',
  'inputlookup', 'iplocation', 'join', 'kmeans', 'kv', 'kvform', 'loadjob', 'localize', 'localop', 'lookup',
  'makecontinuous', 'makemv', 'makeresults', 'map', 'mcatalog', 'mcollect', 'metadata', 'metasearch',
  'meventcollect', 'mpreview', 'msearch', 'mstats', 'multikv', 'multisearch', 'mvcombine', 'mvexpand', 'nomv',
  'outlier', 'outputcsv', 'outputlookup', 'outputtext', 'overlap', 'pivot', 'predict', 'rangemap', 'rare',
  'redistribute', 'regex', 'reltime', 'rename', 'replace', 'require', 'rest', 'return', 'reverse', 'rex',
  'rtorder', 'run', 'savedsearch', 'script', 'scrub', 'search', 'searchtxn', 'selfjoin', 'sendalert',
  'sendemail', 'set', 'setfields', 'sichart', 'sirare', 'sistats', 'sitimechart', 'sitop', 'sort', 'spath',
  'stats', 'strcat', 'streamstats', 'table', 'tags', 'tail', 'timechart', 'timewrap', 'tojson', 'top',
  'transaction', 'transpose', 'trendline', 'tscollect', 'tstats', 'typeahead', 'typelearner', 'typer',
  'union', 'uniq', 'untable', 'walklex', 'where', 'x11', 'xmlkv', 'xmlunescape', 'xpath', 'xyseries',
  // Splunk Enterprise Security and Splunk Security Essentials, in published detections.
  'collectrisk', 'risk', 'notable', 'sendrisk', 'makejson', 'ldapsearch', 'ldapfilter', 'ldapgroup',
  // The Machine Learning Toolkit (fit, apply and summary are refused with a reason: registry.ts).
  'fit', 'apply', 'summary', 'score', 'listmodels', 'deletemodel', 'sample',
];
