// The shape of the hardware facts (hardware-facts.ts gathers them). Apart so
// that host.ts can name it in Facts without importing the gatherer, which
// imports host.ts for the Host it runs its script on.

export interface HardwareFacts {
  kernel: string;
  kernel_version: string;
  memtotal_mb: number;
  memfree_mb: number;
  swaptotal_mb: number;
  swapfree_mb: number;
  processor: string[];
  processor_count: number;
  processor_cores: number;
  processor_threads_per_core: number;
  processor_vcpus: number;
  processor_nproc: number;
  default_ipv4: Record<string, unknown>;
  mounts: Array<Record<string, unknown>>;
  env: Record<string, string>;
}
