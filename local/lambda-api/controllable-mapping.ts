import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';

/**
 * What the local Lambda API needs from an event source mapping: its configuration as AWS describes
 * it, and the Enabled switch. local/event-source-mapping's mappings satisfy it.
 */
export interface ControllableMapping {
  readonly uuid: string;
  /** The mapping as GetEventSourceMapping describes it (State reflects the Enabled flag). */
  configuration(): EventSourceMappingConfiguration;
  /** Enabled=false pauses polling; Enabled=true resumes from the same checkpoint. */
  setEnabled(enabled: boolean): void;
}
