using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Cortex.Kernels;

namespace Cortex.Benchmarks.Quick;

/// <summary>
/// fma_peak: the machine's own FMA throughput, from a loop of independent fused multiply-adds on
/// 16 register-resident accumulators (enough to cover FMA latency × FMA ports), on 1 and 2 threads.
/// Every GEMM row is read as a fraction of this one, measured in the same run; the best of three rounds is kept.
/// </summary>
public sealed class FmaPeakSuite : IQuickSuite
{
    private const long Iterations = 1 << 20;
    private const int Rounds = 3;

    /// <inheritdoc/>
    public void Run(QuickRunner runner)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            using var pool = new WorkerPool(threads);
            var action = new Loop { Pool = pool, Work = new LoopWork(), Threads = threads };
            double flopsPerInvoke = threads * Iterations * Accumulators * Lanes * 2.0;
            if (!runner.Wants("fma_peak")) continue;
            // A peak is what the machine can do: a round disturbed by something else on a core (the JIT's
            // background tiering early in the process, another job) only lowers it, so the best of a few
            // rounds is kept.
            double[]? best = null;
            double bytes = 0;
            for (int round = 0; round < Rounds; round++)
            {
                QuickSamples s = runner.Sample(ref action);
                double[] rates = s.Seconds.Select(t => flopsPerInvoke / t / 1e9).ToArray();
                if (best is null || QuickRunner.Median(rates) > QuickRunner.Median(best)) { best = rates; bytes = s.BytesPerCall; }
            }
            runner.Report("fma_peak", Vector512.IsHardwareAccelerated ? "avx512" : "avx2", threads, "GFLOP/s", best!,
                new QuickField("bytes_per_call", bytes), new QuickField("rounds", Rounds));
        }
    }

    private static int Accumulators => Vector512.IsHardwareAccelerated ? 16 : 14;

    private static int Lanes => Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;

    private struct Loop : IQuickAction
    {
        public WorkerPool Pool;
        public LoopWork Work;
        public int Threads;

        public readonly void Invoke() => Pool.Run(Work, Threads);
    }

    private sealed class LoopWork : IParallelWork
    {
        public float Sink;

        public void Execute(int item) => Sink += Vector512.IsHardwareAccelerated ? Fma512(Iterations) : Fma256(Iterations);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma512(long iterations)
    {
        var x = Vector512.Create(0.999999f);
        var y = Vector512.Create(1e-7f);
        Vector512<float> a0 = Vector512.Create(0f), a1 = Vector512.Create(1f), a2 = Vector512.Create(2f), a3 = Vector512.Create(3f);
        Vector512<float> a4 = Vector512.Create(4f), a5 = Vector512.Create(5f), a6 = Vector512.Create(6f), a7 = Vector512.Create(7f);
        Vector512<float> a8 = Vector512.Create(8f), a9 = Vector512.Create(9f), a10 = Vector512.Create(10f), a11 = Vector512.Create(11f);
        Vector512<float> a12 = Vector512.Create(12f), a13 = Vector512.Create(13f), a14 = Vector512.Create(14f), a15 = Vector512.Create(15f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Avx512F.FusedMultiplyAdd(a0, x, y); a1 = Avx512F.FusedMultiplyAdd(a1, x, y);
            a2 = Avx512F.FusedMultiplyAdd(a2, x, y); a3 = Avx512F.FusedMultiplyAdd(a3, x, y);
            a4 = Avx512F.FusedMultiplyAdd(a4, x, y); a5 = Avx512F.FusedMultiplyAdd(a5, x, y);
            a6 = Avx512F.FusedMultiplyAdd(a6, x, y); a7 = Avx512F.FusedMultiplyAdd(a7, x, y);
            a8 = Avx512F.FusedMultiplyAdd(a8, x, y); a9 = Avx512F.FusedMultiplyAdd(a9, x, y);
            a10 = Avx512F.FusedMultiplyAdd(a10, x, y); a11 = Avx512F.FusedMultiplyAdd(a11, x, y);
            a12 = Avx512F.FusedMultiplyAdd(a12, x, y); a13 = Avx512F.FusedMultiplyAdd(a13, x, y);
            a14 = Avx512F.FusedMultiplyAdd(a14, x, y); a15 = Avx512F.FusedMultiplyAdd(a15, x, y);
        }
        var sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + ((a12 + a13) + (a14 + a15));
        return sum.ToScalar();
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Fma256(long iterations)
    {
        var x = Vector256.Create(0.999999f);
        var y = Vector256.Create(1e-7f);
        Vector256<float> a0 = Vector256.Create(0f), a1 = Vector256.Create(1f), a2 = Vector256.Create(2f), a3 = Vector256.Create(3f);
        Vector256<float> a4 = Vector256.Create(4f), a5 = Vector256.Create(5f), a6 = Vector256.Create(6f), a7 = Vector256.Create(7f);
        Vector256<float> a8 = Vector256.Create(8f), a9 = Vector256.Create(9f), a10 = Vector256.Create(10f), a11 = Vector256.Create(11f);
        Vector256<float> a12 = Vector256.Create(12f), a13 = Vector256.Create(13f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = Fma.MultiplyAdd(a0, x, y); a1 = Fma.MultiplyAdd(a1, x, y);
            a2 = Fma.MultiplyAdd(a2, x, y); a3 = Fma.MultiplyAdd(a3, x, y);
            a4 = Fma.MultiplyAdd(a4, x, y); a5 = Fma.MultiplyAdd(a5, x, y);
            a6 = Fma.MultiplyAdd(a6, x, y); a7 = Fma.MultiplyAdd(a7, x, y);
            a8 = Fma.MultiplyAdd(a8, x, y); a9 = Fma.MultiplyAdd(a9, x, y);
            a10 = Fma.MultiplyAdd(a10, x, y); a11 = Fma.MultiplyAdd(a11, x, y);
            a12 = Fma.MultiplyAdd(a12, x, y); a13 = Fma.MultiplyAdd(a13, x, y);
        }
        var sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11)) + (a12 + a13);
        return sum.ToScalar();
    }
}
