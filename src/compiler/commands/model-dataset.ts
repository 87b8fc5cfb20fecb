// A CIM data model dataset (datamodels.ts) as rows: which dataset a name means, the events its
// constraints select, and the value of each of its fields. tstats aggregates over them; from
// and datamodel give them as events.
import type { Expr, SearchExpr, Span } from '../../../grammar/ast.js';
import { parse, parseExpression } from '../../../grammar/parser.js';
import type { Builder } from '../builder.js';
import { EVENTS_TABLE } from '../cloudtrail-schema.js';
import { eventFields, eventsRelation } from '../events.js';
import { DEFAULT_ADDON } from '../addon/profile.js';
import { CIM_MODELS, constraintSearch, dataModel, DATA_MODELS, lineage, rootOf, type DataModel, type Dataset, type ModelField } from '../datamodels.js';
import { all, coalesceFalse } from '../build/coerce.js';
import { compileExpr } from '../expr.js';
import { caseOf, lit, type Expr as IrExpr } from '../ir/expr.js';
import { compileSearchExpr } from '../search.js';
import { nearest } from '../suggest.js';
import type { Relation } from '../types.js';

const parsedExprs = new Map<string, Expr>();
const parsedSearches = new Map<string, SearchExpr | null>();

function modelExpr(text: string): Expr {
  let expr = parsedExprs.get(text);
  if (!expr) {
    const parsed = parseExpression(text);
    if (!parsed.expr) throw new Error(`data model expression ${text} is invalid: ${parsed.diagnostics[0]?.message}`);
    expr = parsed.expr;
    parsedExprs.set(text, expr);
  }
  return expr;
}

function modelSearch(text: string): SearchExpr | null {
  if (!parsedSearches.has(text)) {
    const command = parse(text).pipeline?.commands[0];
    if (!command || command.kind !== 'search') throw new Error(`data model constraint ${text} is not a search`);
    parsedSearches.set(text, command.expr);
  }
  return parsedSearches.get(text)!;
}

export interface Target {
  model: DataModel;
  /** The dataset searched and its ancestors, root first. */
  datasets: Dataset[];
}

/**
 * `Model`, `Model.Dataset` or `Model.Root.Child...` (nodename= spells the dataset the same way).
 * A dataset may be named without its ancestors: `Authentication.Failed_Default_Authentication`.
 */
export function resolveTarget(value: string, span: Span, b: Builder, nodename?: { value: string; span: Span }): Target {
  const [modelName, ...path] = value.split('.');
  const model = dataModel(modelName!);
  if (!model) {
    const hints = nearest(modelName!, DATA_MODELS.map((m) => m.name));
    throw b.err('bad-argument', `unknown data model ${JSON.stringify(modelName)} (spelunk maps ${DATA_MODELS.map((m) => m.name).join(', ')})`, span, hints.length ? [`did you mean ${hints.join(', ')}?`] : undefined);
  }
  const names = [...path];
  if (nodename) names.push(...nodename.value.split('.'));
  let current = rootOf(model);
  for (const name of names) {
    if (name === current.name || (name === model.name && current === rootOf(model))) continue;
    const found = model.datasets.find((d) => d.name === name && lineage(model, d).includes(current));
    if (!found) {
      const known = model.datasets.map((d) => d.name);
      const hints = nearest(name, known);
      throw b.err('bad-argument', `data model ${model.name} has no dataset ${JSON.stringify(name)}${current === rootOf(model) ? '' : ` under ${current.name}`} (it has ${known.join(', ')})`,
        nodename?.span ?? span, hints.length ? [`did you mean ${hints.map((h) => `${model.name}.${h}`).join(', ')}?`] : undefined);
    }
    current = found;
  }
  return { model, datasets: lineage(model, current) };
}

/**
 * A CIM model Splunk defines that spelunk does not map to CloudTrail (by any case of its name):
 * it has no events here, which a note says; undefined for any other name.
 */
export function unmappedModel(value: string, b: Builder): string | undefined {
  const name = value.split('.')[0]!;
  if (dataModel(name)) return undefined;
  const unmapped = CIM_MODELS.find((m) => m.toLowerCase() === name.toLowerCase());
  if (unmapped) b.notes.push(`data model ${unmapped} is not mapped to CloudTrail events in spelunk (it maps ${DATA_MODELS.map((m) => m.name).join(', ')}): it has no events here`);
  return unmapped;
}

/** A search constraint of the data model as a condition (never NULL) over `rel`. */
export function constraint(d: Dataset, rel: Relation, b: Builder): IrExpr {
  const expr = modelSearch(constraintSearch(d.constraint, b.options.addon ?? DEFAULT_ADDON));
  return expr ? compileSearchExpr(expr, rel, b) : lit(true);
}

/** The events of the dataset: those its constraints and its ancestors' select. */
export function datasetEvents(target: Target, b: Builder): Relation {
  const probe: Relation = { name: EVENTS_TABLE, id: -1, fields: eventFields(), raw: true, removed: new Set() };
  return eventsRelation(b, ...target.datasets.map((d) => coalesceFalse(constraint(d, probe, b))));
}

/** The value of a model field for each event: the event's field (filled as the model says), null outside its dataset. */
export function fieldValue(target: Target, entry: { dataset: Dataset; field: ModelField }, rel: Relation, b: Builder): IrExpr {
  const value = compileExpr(modelExpr(entry.field.calc ?? entry.field.name), { rel, b });
  const outside = lineage(target.model, entry.dataset).filter((d) => !target.datasets.includes(d));
  if (outside.length === 0) return value;
  const inside = all(outside.map((d) => constraint(d, rel, b)));
  return caseOf([{ when: inside, then: value }], null, value.type);
}
