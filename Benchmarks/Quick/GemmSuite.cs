using System;
using Cortex.Kernels;

namespace Cortex.Benchmarks.Quick;

/// <summary>
/// sgemm_N: square N³ products (c = a·b, row-major) through <see cref="Gemm"/>, in GFLOP/s, on 1 and
/// 2 threads. sgemm_b1_32-64-64-8: the three forward products of a batch-1 32-64-64-8 MLP
/// (x·W1ᵀ, h1·W2ᵀ, h2·W3ᵀ: GEMMs only, no bias or activation), in ns for all three.
/// </summary>
public sealed class GemmSuite : IQuickSuite
{
    /// <inheritdoc/>
    public void Run(QuickRunner runner)
    {
        var mlp = new BatchOneMlp(new Random(32));
        runner.MeasureTime("sgemm_b1_32-64-64-8", "cortex", 1, "ns", 1e-9, ref mlp);

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

    private struct BatchOneMlp : IQuickAction
    {
        private readonly float[] _x, _w1, _h1, _w2, _h2, _w3, _y;

        public BatchOneMlp(Random rng)
        {
            _x = Fill(rng, 32);
            _w1 = Fill(rng, 64 * 32);
            _h1 = new float[64];
            _w2 = Fill(rng, 64 * 64);
            _h2 = new float[64];
            _w3 = Fill(rng, 8 * 64);
            _y = new float[8];
        }

        // z = x·Wᵀ: m = batch, n = out, k = in.
        public readonly void Invoke()
        {
            Gemm.Multiply(_h1, _x, _w1, 1, 64, 32, false, true, false);
            Gemm.Multiply(_h2, _h1, _w2, 1, 64, 64, false, true, false);
            Gemm.Multiply(_y, _h2, _w3, 1, 8, 64, false, true, false);
        }
    }

    private struct Multiply : IQuickAction
    {
        public float[] A, B, C;
        public int Size;
        public WorkerPool Pool;

        public readonly void Invoke() => Gemm.Multiply(C, A, B, Size, Size, Size, false, false, false, Pool);
    }
}
