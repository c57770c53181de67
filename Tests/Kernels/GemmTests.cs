using System;
using System.Collections.Generic;
using System.Linq;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Kernels;

[TestFixture]
public sealed class GemmTests
{
    private static readonly GemmIsa[] Isas = Enum.GetValues<GemmIsa>().Where(GemmIsas.IsSupported).ToArray();

    private static readonly (int M, int N, int K)[] Shapes =
    {
        (1, 1, 1), (1, 64, 32), (1, 8, 64), (2, 100, 50), (3, 17, 5), (17, 3, 129), (129, 17, 3),
        (5, 3, 1000), (33, 65, 257), (129, 129, 129), (64, 784, 33), (31, 1, 200),
        (1000, 17, 129), (17, 1000, 65), (20, 40, 1100),
        (64, 8, 64), (100, 3, 17), (257, 1, 600), (1000, 8, 129), (63, 8, 16),   // narrow NT: the transposed path from 64 rows
        (101, 8, 40), (71, 8, 64),                                             // eight columns: register transpose + scalar rest
        (64, 256, 784), (32, 100, 40), (96, 200, 17), (130, 270, 600),       // NT wide layer, small batch: W read in place
        (100, 10, 256), (64, 16, 30),                                        // NT, 9-16 columns: two tiles of rows of W
    };

    private static IEnumerable<TestCaseData> ShapeCases()
    {
        foreach (var (m, n, k) in Shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return new TestCaseData(m, n, k, ta, tb).SetArgDisplayNames($"{m}x{n}x{k}", ta ? "T" : "N", tb ? "T" : "N");
    }

    [TestCaseSource(nameof(ShapeCases))]
    public void MatchesNaiveOnEveryInstructionSet(int m, int n, int k, bool transposeA, bool transposeB)
    {
        var rng = new Random(m * 7919 + n * 104729 + k);
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        foreach (bool accumulate in new[] { false, true })
        {
            float[] expected = (float[])c0.Clone();
            GemmNaive.Multiply(expected, a, b, m, n, k, transposeA, transposeB, accumulate);
            float[] tolerance = Tolerance(a, b, c0, m, n, k, transposeA, transposeB, accumulate);
            foreach (var isa in Isas)
            {
                float[] actual = (float[])c0.Clone();
                Gemm.MultiplyOn(isa, actual, a, b, m, n, k, transposeA, transposeB, accumulate, null);
                AssertClose(actual, expected, tolerance, $"{isa} accumulate={accumulate}");
            }
        }
    }

    [TestCase(64, 256, 784)]
    [TestCase(32, 100, 40)]
    [TestCase(130, 270, 600)]
    [TestCase(256, 512, 64)]
    public unsafe void WideLayerOverASmallBatchIsBitwiseTheBlockedProduct(int m, int n, int k)
    {
        Assert.That(GemmTransposed.Prefers(m, n, k, transposeA: false, transposeB: true), Is.True);
        var rng = new Random(m + n + k);
        float[] a = Random(rng, m * k), b = Random(rng, n * k);
        foreach (GemmIsa isa in Isas)
        {
            float[] blocked = new float[m * n], routed = new float[m * n];
            fixed (float* pc = blocked)
            fixed (float* pa = a)
            fixed (float* pb = b)
                GemmBlocked.Run(isa, pc, pa, pb, m, n, k, transposeA: false, transposeB: true, accumulate: false, pool: null);
            using var pool = new WorkerPool(2);
            Gemm.MultiplyOn(isa, routed, a, b, m, n, k, transposeA: false, transposeB: true, accumulate: false, pool);
            Assert.That(routed.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(blocked.Select(BitConverter.SingleToInt32Bits)), isa.ToString());
        }
    }

    [Test]
    public void PublicEntryMatchesNaiveOnALargeSquare()
    {
        const int m = 1000, n = 1000, k = 1000;
        var rng = new Random(1000);
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        float[] expected = new float[m * n], actual = new float[m * n];
        GemmNaive.Multiply(expected, a, b, m, n, k, false, true, false);
        using var pool = new WorkerPool(2);
        Gemm.Multiply(actual, a, b, m, n, k, false, true, false, pool);
        AssertClose(actual, expected, Tolerance(a, b, expected, m, n, k, false, true, false), "1000³ NT");
    }

    [Test]
    public void ZeroSizesLeaveOrClearC()
    {
        float[] c = { 1, 2, 3, 4 };
        Gemm.Multiply(c, Array.Empty<float>(), Array.Empty<float>(), 2, 2, 0, false, false, true);
        Assert.That(c, Is.EqualTo(new float[] { 1, 2, 3, 4 }));
        Gemm.Multiply(c, Array.Empty<float>(), Array.Empty<float>(), 2, 2, 0, false, false, false);
        Assert.That(c, Is.EqualTo(new float[4]));
        Gemm.Multiply(c, new float[3], new float[3], 0, 1, 3, false, false, false);
        Assert.That(c, Is.EqualTo(new float[4]));
    }

    private static IEnumerable<TestCaseData> ParallelCases()
    {
        // Each is big enough to be split over threads (≥ 1e7 flops); k = 600 spans two packed k slices.
        foreach (var (m, n, k) in new[] { (257, 300, 300), (40, 1000, 200), (1000, 40, 150), (100, 200, 600), (2000, 8, 600) })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    yield return new TestCaseData(m, n, k, ta, tb).SetArgDisplayNames($"{m}x{n}x{k}", ta ? "T" : "N", tb ? "T" : "N");
    }

    [TestCaseSource(nameof(ParallelCases))]
    public void IsBitwiseIdenticalForAnyThreadCount(int m, int n, int k, bool transposeA, bool transposeB)
    {
        var rng = new Random(42);
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        foreach (var isa in Isas)
        {
            foreach (bool accumulate in new[] { false, true })
            {
                float[] single = (float[])c0.Clone();
                Gemm.MultiplyOn(isa, single, a, b, m, n, k, transposeA, transposeB, accumulate, null);
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    using var pool = new WorkerPool(threads);
                    float[] pooled = (float[])c0.Clone();
                    Gemm.MultiplyOn(isa, pooled, a, b, m, n, k, transposeA, transposeB, accumulate, pool);
                    Assert.That(pooled, Is.EqualTo(single), $"{isa}, {threads} threads, accumulate={accumulate}");
                }
            }
        }
    }

    [Test]
    public void ThrowsOnTooShortSpansNamingOperandAndSizes()
    {
        float[] ok = new float[12];
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(ok, new float[5], ok, 3, 4, 2, false, false, false));
        Assert.That(ex!.ParamName, Is.EqualTo("a"));
        Assert.That(ex.Message, Does.Contain("5").And.Contain("6"));

        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(ok, ok, new float[7], 3, 4, 2, false, true, false));
        Assert.That(ex!.ParamName, Is.EqualTo("b"));
        Assert.That(ex.Message, Does.Contain("7").And.Contain("8"));

        ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[11], ok, ok, 3, 4, 2, true, false, true));
        Assert.That(ex!.ParamName, Is.EqualTo("c"));
        Assert.That(ex.Message, Does.Contain("11").And.Contain("12"));

        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(ok, ok, ok, -1, 4, 2, false, false, false));
    }

    [Test]
    public void DoesNotAllocateInSteadyState()
    {
        using var pool = new WorkerPool(2);
        var shapes = new[] { (1, 64, 32), (64, 64, 64), (256, 256, 256) };
        var buffers = shapes.Select(s => (s, a: new float[s.Item1 * s.Item3], b: new float[s.Item3 * s.Item2], c: new float[s.Item1 * s.Item2])).ToArray();
        foreach (var withPool in new[] { false, true })
        {
            foreach (var ((m, n, k), a, b, c) in buffers)
            {
                for (int i = 0; i < 3; i++) RunAll(a, b, c, m, n, k, withPool ? pool : null);
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 5; i++) RunAll(a, b, c, m, n, k, withPool ? pool : null);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.That(allocated, Is.Zero, $"{m}x{n}x{k}, pool={withPool}");
            }
        }

        static void RunAll(float[] a, float[] b, float[] c, int m, int n, int k, WorkerPool? pool)
        {
            Gemm.Multiply(c, a, b, m, n, k, false, true, false, pool);
            Gemm.Multiply(c, a, b, m, n, k, false, false, true, pool);
            Gemm.Multiply(c, a, b, m, n, k, true, false, true, pool);
            Gemm.Multiply(c, a, b, m, n, k, true, true, false, pool);
        }
    }

    private static float[] Random(Random rng, int length)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>
    /// Per-element bound on the gap between two summation orders: each can be off by about
    /// k·ε·Σ|a||b| (+ ε·|c| when accumulating), so allow twice that, with ε = 2⁻²³.
    /// </summary>
    private static float[] Tolerance(float[] a, float[] b, float[] c0, int m, int n, int k, bool transposeA, bool transposeB, bool accumulate)
    {
        float[] absA = a.Select(Math.Abs).ToArray(), absB = b.Select(Math.Abs).ToArray();
        float[] bound = accumulate ? c0.Select(Math.Abs).ToArray() : new float[m * n];
        GemmNaive.Multiply(bound, absA, absB, m, n, k, transposeA, transposeB, true);
        const float epsilon = 1f / (1 << 23);
        return bound.Select(x => 2f * (k + 1) * epsilon * x + 1e-30f).ToArray();
    }

    private static void AssertClose(float[] actual, float[] expected, float[] tolerance, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} ± {tolerance[i]}");
        }
    }
}
