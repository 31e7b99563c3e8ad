export interface PxeOptions { mac: string; uefi?: boolean; expect: string; timeoutS?: number }
export interface PxeResult { ok: boolean; seconds: number; logPath: string }
export async function pxeBoot(_name: string, _o: PxeOptions): Promise<PxeResult> { throw new Error('not yet'); }
