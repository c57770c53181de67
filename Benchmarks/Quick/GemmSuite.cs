using System;
using Cortex.Kernels;

namespace Cortex.Benchmarks.Quick;

/// <summary>sgemm_N: square N³ products (c = a·b, row-major) through <see cref="Gemm.Multiply"/>, in GFLOP/s, on 1 and 2 threads.</summary>
public sealed class GemmSuite : IQuickSuite
{
    /// <inheritdoc/>
    public void Run(QuickRunner runner)
    {
        foreach (int size in new[] { 256, 512, 1024 })
        {
            string caseName = $"sgemm_{size}";
            if (!runner.Wants(caseName)) continue;
            var rng = new Random(size);
            var action = new Multiply
            {
                A = Fill(rng, size * size),
                B = Fill(rng, size * size),
                C = new float[size * size],
                Size = size,
            };
            foreach (int threads in new[] { 1, 2 })
            {
                using var pool = new WorkerPool(threads);
                action.Pool = pool;
                runner.MeasureRate(caseName, "cortex", threads, "GFLOP/s", 2.0 * size * size * size, 1e9, ref action);
            }
        }
    }

    private static float[] Fill(Random rng, int length)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
        return values;
    }

    private struct Multiply : IQuickAction
    {
        public float[] A, B, C;
        public int Size;
        public WorkerPool Pool;

        public readonly void Invoke() => Gemm.Multiply(C, A, B, Size, Size, Size, false, false, false, Pool);
    }
}
