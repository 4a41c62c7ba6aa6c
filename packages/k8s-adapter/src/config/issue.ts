import { describeValue } from '@lbkit/core';

/**
 * One configuration problem: the object, the field and the value it concerns, and why it is wrong.
 * `transient` problems (a reference to an object that may simply not have arrived yet) are tolerated at
 * admission; at run time every problem keeps the last good configuration in force.
 */
export interface ConfigIssue {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** JSON path inside the object (`spec.addresses[1]`). */
  readonly field: string;
  readonly value: unknown;
  readonly reason: string;
  readonly transient: boolean;
  /** `<Kind> <name>: <field> <value>: <reason>`. */
  readonly message: string;
}

/** The object an issue is about. */
export interface IssueSubject {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** Builds a {@link ConfigIssue} and its message. */
export function makeIssue(
  subject: IssueSubject,
  field: string,
  value: unknown,
  reason: string,
  transient = false,
): ConfigIssue {
  const shown = value === undefined ? '' : ` ${describeValue(value)}`;
  return {
    kind: subject.kind,
    namespace: subject.namespace,
    name: subject.name,
    field,
    value,
    reason,
    transient,
    message: `${subject.kind} ${subject.name}: ${field}${shown}: ${reason}`,
  };
}

/** Collects issues while a parser walks objects. */
export class IssueList {
  readonly errors: ConfigIssue[] = [];
  readonly warnings: ConfigIssue[] = [];

  /** Records a hard error. */
  error(subject: IssueSubject, field: string, value: unknown, reason: string): void {
    this.errors.push(makeIssue(subject, field, value, reason, false));
  }

  /** Records an error whose cause may go away when a referenced object appears. */
  transient(subject: IssueSubject, field: string, value: unknown, reason: string): void {
    this.errors.push(makeIssue(subject, field, value, reason, true));
  }

  /** Records a warning (never blocks a configuration). */
  warn(subject: IssueSubject, field: string, value: unknown, reason: string): void {
    this.warnings.push(makeIssue(subject, field, value, reason, false));
  }
}
