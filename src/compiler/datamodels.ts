// The CIM data models that cloud detections query with `tstats ... from datamodel=<Model>`, as the
// Splunk Common Information Model defines them (Splunk_SA_CIM default/data/models/Authentication.json
// and Change.json): datasets with the search constraints that select their events, and fields that
// are the event's own fields of the same name, several filled in when empty ("unknown"). On
// CloudTrail those fields are the add-on's (addon-fields.ts), and the constraints' `tag=...` are
// the add-on's event type tags, which depend on the add-on profile. docs/datamodels.md is generated
// from these tables (scripts/fields-doc.ts).
import { tagSearch } from './addon/eventtypes.js';
import type { AddonProfile } from './addon/profile.js';

export interface ModelField {
  name: string;
  /** SPL over the event's field of the same name; absent: that field as it is. */
  calc?: string;
}

export interface Dataset {
  name: string;
  /** The parent dataset's name; null for the root. */
  parent: string | null;
  /** Search that selects the dataset's events among its parent's (spelunk's search language). */
  constraint: string;
  /** Fields this dataset adds (a child also has its ancestors' fields). */
  fields: readonly ModelField[];
}

export interface DataModel {
  name: string;
  /** The root dataset first. */
  datasets: readonly Dataset[];
}

/** The CIM's fill for an empty field. */
const unknown = (n: string): ModelField => ({ name: n, calc: `if(isnull(${n}) OR ${n}=="", "unknown", ${n})` });
const plain = (list: string): ModelField[] => list.trim().split(/\s+/).map((name) => ({ name }));
const dataset = (name: string, parent: string | null, constraint: string, fields: ModelField[] = []): Dataset => ({ name, parent, constraint, fields });

const AUTHENTICATION: DataModel = {
  name: 'Authentication',
  datasets: [
    dataset('Authentication', null, 'tag=authentication NOT (action=success user=*$)', [
      ...plain(`authentication_method authentication_service dest_bunit dest_category dest_nt_domain dest_priority duration process reason
        reason_id response_time session_id signature signature_id src_bunit src_category src_nt_domain src_priority src_user_bunit
        src_user_category src_user_id src_user_priority src_user_role src_user_type tag user_agent user_bunit user_category user_id
        user_priority user_role user_type vendor_account cim_entity_zone`),
      unknown('action'),
      { name: 'app', calc: 'if(isnull(app) OR app=="", sourcetype, app)' },
      unknown('src'),
      unknown('src_user'),
      unknown('dest'),
      unknown('user'),
      unknown('result'),
    ]),
    dataset('Failed_Authentication', 'Authentication', 'action=failure OR result=failure'),
    dataset('Successful_Authentication', 'Authentication', 'action=success OR result=success'),
    dataset('Default_Authentication', 'Authentication', 'tag=default'),
    dataset('Failed_Default_Authentication', 'Default_Authentication', 'action=failure'),
    dataset('Successful_Default_Authentication', 'Default_Authentication', 'action=success'),
    dataset('Insecure_Authentication', 'Authentication', 'tag=insecure OR tag=cleartext'),
    dataset('Privileged_Authentication', 'Authentication', 'tag=privileged'),
    dataset('Failed_Privileged_Authentication', 'Privileged_Authentication', 'action=failure'),
    dataset('Successful_Privileged_Authentication', 'Privileged_Authentication', 'action=success'),
  ],
};

const CHANGE: DataModel = {
  name: 'Change',
  datasets: [
    dataset('All_Changes', null, 'tag=change', [
      ...plain(`dest_bunit dest_category dest_priority src_bunit src_category src_priority tag user_agent user_bunit user_category
        user_priority user_type vendor_account vendor_region cim_entity_zone`),
      unknown('change_type'),
      // The CIM builds command from Operation and ObjectName for sourcetype audittrail only.
      unknown('command'),
      unknown('dest'),
      unknown('dvc'),
      unknown('object'),
      unknown('object_attrs'),
      unknown('object_category'),
      unknown('object_id'),
      unknown('object_path'),
      unknown('status'),
      { name: 'result', calc: 'if(isnotnull(result) AND result!="", result, if(isnotnull(signature) AND signature!="", signature, "unknown"))' },
      { name: 'result_id', calc: 'if(isnotnull(result_id) AND result_id!="", result_id, if(isnotnull(signature_id) AND signature_id!="", signature_id, -1))' },
      unknown('src'),
      unknown('user'),
      unknown('user_name'),
      { name: 'vendor_product', calc: 'case(isnotnull(vendor_product), vendor_product, isnotnull(vendor) AND vendor!="unknown" AND ' +
        'isnotnull(product) AND product!="unknown", vendor . " " . product, isnotnull(vendor) AND vendor!="unknown", vendor . " unknown", ' +
        'isnotnull(product) AND product!="unknown", "unknown " . product, isnotnull(sourcetype), sourcetype, true(), "unknown")' },
      unknown('action'),
    ]),
    dataset('Auditing_Changes', 'All_Changes', 'tag=audit'),
    dataset('Endpoint_Changes', 'All_Changes', 'tag=endpoint'),
    dataset('Endpoint_Restarts', 'Endpoint_Changes', 'action=modified change_type=restart'),
    dataset('Other_Endpoint_Changes', 'Endpoint_Changes', 'NOT change_type=restart'),
    dataset('Network_Changes', 'All_Changes', 'tag=network', plain('dest_ip_range dest_port_range direction protocol rule_action src_ip_range src_port_range')),
    dataset('Device_Restarts', 'Network_Changes', 'action=modified change_type=restart'),
    dataset('Account_Management', 'All_Changes', 'tag=account', [
      ...plain('src_user_bunit src_user_category src_user_priority src_user_type'),
      unknown('dest_nt_domain'),
      unknown('src_nt_domain'),
      unknown('src_user'),
      unknown('src_user_name'),
    ]),
    dataset('Accounts_Created', 'Account_Management', 'action=created'),
    dataset('Accounts_Deleted', 'Account_Management', 'action=deleted'),
    dataset('Account_Lockouts', 'Account_Management', 'result=lockout'),
    dataset('Accounts_Updated', 'Account_Management', 'action=updated OR action=modified'),
    dataset('Instance_Changes', 'All_Changes', 'tag=instance', [unknown('image_id'), unknown('instance_type')]),
  ],
};

export const DATA_MODELS: readonly DataModel[] = Object.freeze([AUTHENTICATION, CHANGE]);

export function dataModel(name: string): DataModel | undefined {
  return DATA_MODELS.find((m) => m.name === name);
}

export function rootOf(model: DataModel): Dataset {
  return model.datasets[0]!;
}

/** The dataset and its ancestors, root first. */
export function lineage(model: DataModel, d: Dataset): Dataset[] {
  const chain = [d];
  for (let p = d.parent; p !== null; ) {
    const parent = model.datasets.find((x) => x.name === p)!;
    chain.unshift(parent);
    p = parent.parent;
  }
  return chain;
}

/** The name tstats gives a dataset's field: the dataset names from the root, then the field (`All_Changes.Instance_Changes.image_id`). */
export function qualifiedName(model: DataModel, d: Dataset, field: ModelField): string {
  return [...lineage(model, d).map((x) => x.name), field.name].join('.');
}

/** A constraint with its `tag=X` terms replaced by the searches of the event types carrying tag X. */
export function constraintSearch(constraint: string, profile: AddonProfile): string {
  return constraint.replace(/\btag="?([A-Za-z_]+)"?/g, (_m, tag: string) => tagSearch(tag, profile));
}

/**
 * The data models of Splunk's Common Information Model (and Splunk Enterprise Security's), by
 * name: a search over one spelunk does not map finds no events, with a note, instead of an error.
 */
export const CIM_MODELS: readonly string[] = [
  'Alerts', 'Application_State', 'Authentication', 'Certificates', 'Change', 'Change_Analysis', 'Compute_Inventory',
  'Data_Access', 'Databases', 'Data_Loss_Prevention', 'DLP', 'Email', 'Endpoint', 'Event_Signatures', 'Interprocess_Messaging',
  'Intrusion_Detection', 'Inventory', 'JVM', 'Malware', 'Network_Resolution', 'Network_Sessions', 'Network_Traffic',
  'Performance', 'Splunk_Audit', 'Splunk_CIM_Validation', 'Ticket_Management', 'Updates', 'Vulnerabilities', 'Web',
  'Risk', 'Threat_Intelligence', 'Identity_Management', 'Incident_Management', 'Assets_And_Identities', 'Domain_Analysis',
  'Audit', 'UEBA', 'Splunk_Internal',
];
