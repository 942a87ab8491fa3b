/** Fargate's vCPU values and, for each, the memory range (MiB) and step it accepts. */
const FARGATE_SIZES: ReadonlyArray<{
  readonly vcpus: number;
  readonly min: number;
  readonly max: number;
  readonly step: number;
}> = [
  { vcpus: 0.25, min: 512, max: 2048, step: 512 },
  { vcpus: 0.5, min: 1024, max: 4096, step: 1024 },
  { vcpus: 1, min: 2048, max: 8192, step: 1024 },
  { vcpus: 2, min: 4096, max: 16384, step: 1024 },
  { vcpus: 4, min: 8192, max: 30720, step: 1024 },
  { vcpus: 8, min: 16384, max: 61440, step: 4096 },
  { vcpus: 16, min: 32768, max: 122880, step: 8192 },
];

/**
 * Why Fargate rejects `vcpus` with `memoryMiB`, or undefined when the pair is
 * valid (0.25 vCPU: 512, 1024 or 2048 MiB; 1 vCPU: 2048..8192 by 1024; ...).
 */
export function fargateResourcesProblem(vcpus: number, memoryMiB: number): string | undefined {
  const size = FARGATE_SIZES.find((s) => s.vcpus === vcpus);
  if (size === undefined)
    return `Fargate takes ${FARGATE_SIZES.map((s) => s.vcpus).join(', ')} vCPUs, got ${vcpus}`;
  // 0.25 vCPU takes 512, 1024 and 2048: a 512 step from 512 to 1024, then 2048.
  const ok =
    vcpus === 0.25
      ? [512, 1024, 2048].includes(memoryMiB)
      : memoryMiB >= size.min && memoryMiB <= size.max && (memoryMiB - size.min) % size.step === 0;
  return ok
    ? undefined
    : `Fargate with ${vcpus} vCPU takes ${size.min}..${size.max} MiB in steps of ${size.step}, got ${memoryMiB} MiB`;
}
