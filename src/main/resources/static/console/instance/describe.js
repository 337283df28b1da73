// How an instance reads in the table and on its own page: GPUs by model, CPU and memory, progress.
import { api } from '../api.js';
import { h, bytes } from '../dom.js';

/** GPU models by UUID, from the GPU map: "2 × NVIDIA A100" reads better than two UUIDs. */
export async function gpuModels() {
  const gpus = await api.get('/resources/gpus');
  return { byUuid: Object.fromEntries(gpus.inventory.map((g) => [g.uuid, g])), free: gpus.free, total: gpus.total };
}

export function gpuText(uuids, models) {
  if (!uuids || uuids.length === 0) return h('span.muted', 'none');
  const names = [...new Set(uuids.map((u) => models.byUuid[u]?.model || 'GPU'))];
  return `${uuids.length} × ${names.join(', ')}`;
}

/** CPU cores and memory, where the service reports them. */
export function computeText(item) {
  const parts = [];
  if (item.cpuCount !== undefined && item.cpuCount !== null) parts.push(`${item.cpuCount} CPU`);
  const mem = item.memory ?? item.memoryLimit;
  if (mem !== undefined && mem !== null) parts.push(typeof mem === 'number' ? bytes(mem) : mem);
  return parts.join(' · ');
}

export function progressLabel(progress) {
  if (!progress) return null;
  return progress.step ? `${progress.operation}: ${progress.step}` : progress.operation;
}
