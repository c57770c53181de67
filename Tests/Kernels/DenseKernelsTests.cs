using System;
using System.Collections.Generic;
using System.Linq;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Kernels;

[TestFixture]
public sealed class DenseKernelsTests
{
    private static readonly GemmIsa[] Isas = Enum.GetValues<GemmIsa>().Where(GemmIsas.IsSupported).ToArray();

    // (rows, columns, inputs), all on the blocked path: whole tiles, ragged tiles on both edges (columns 10, 33, 45 leave
    // 256-bit and scalar ends), more rows than one 256-row block, and k over one and two packed depths (256, 512).
    private static readonly (int Rows, int Columns, int Inputs)[] Shapes =
    {
        (64, 64, 32), (37, 45, 19), (9, 33, 40), (300, 70, 40), (20, 10, 600), (13, 100, 7), (256, 64, 64),
    };

    public static IEnumerable<Activation> Elementwise() => Catalog.ActivationsWithParameters.Where(a => a.Kind != ActivationKind.Softmax);

    [TestCaseSource(nameof(Elementwise))]
    public void FusedIsTheProductThenThePassBitForBitOnEveryInstructionSet(Activation activation)
    {
        foreach (var (rows, columns, inputs) in Shapes)
        {
            Assert.That(DenseKernels.Fuses(activation, rows, columns, inputs), Is.True, $"{rows}x{columns}x{inputs} takes the blocked path");
            var rng = new Random(rows * 1009 + columns * 31 + inputs);
            // |z| up to ~10: both sides of every activation's bends and the tanh clamp.
            float[] x = Values(rng, rows * inputs, 1f), w = Values(rng, columns * inputs, 3f / MathF.Sqrt(inputs)), bias = Values(rng, columns, 2f);
            foreach (GemmIsa isa in Isas)
                foreach (bool withBias in new[] { false, true })
                    foreach (bool inPlace in new[] { false, true })
                        AssertSameAsUnfused(isa, activation, x, w, withBias ? bias : Array.Empty<float>(), rows, columns, inputs, inPlace, pool: null,
                            $"{activation} {rows}x{columns}x{inputs} {isa} bias={withBias} inPlace={inPlace}");
        }
    }

    [TestCaseSource(nameof(Elementwise))]
    public void FusedIsBitwiseIdenticalOnAPool(Activation activation)
    {
        // Big enough to be split over the threads (≥ 1e6 flops), in rows (600) and in columns (40 rows, 300 columns).
        foreach (var (rows, columns, inputs) in new[] { (600, 96, 64), (40, 300, 100) })
        {
            var rng = new Random(rows + columns);
            float[] x = Values(rng, rows * inputs, 1f), w = Values(rng, columns * inputs, 3f / MathF.Sqrt(inputs)), bias = Values(rng, columns, 2f);
            foreach (int threads in new[] { 2, 3 })
            {
                using var pool = new WorkerPool(threads);
                foreach (GemmIsa isa in Isas)
                    foreach (bool inPlace in new[] { false, true })
                        AssertSameAsUnfused(isa, activation, x, w, bias, rows, columns, inputs, inPlace, pool,
                            $"{activation} {rows}x{columns}x{inputs} {isa} {threads} threads inPlace={inPlace}");
            }
        }
    }

    [Test]
    public void OtherShapesAndSoftmaxAreLeftToTheCaller()
    {
        float[] x = new float[64 * 32], w = new float[64 * 32], bias = new float[64], z = Enumerable.Repeat(7f, 64 * 64).ToArray();
        Assert.That(DenseKernels.TryForward(z, z, x, w, bias, Activation.Softmax, 64, 64, 32, null), Is.False, "softmax mixes a row");
        Assert.That(DenseKernels.TryForward(z, z, x, w, bias, Activation.Tanh, 1, 64, 32, null), Is.False, "batch 1: the direct product");
        Assert.That(DenseKernels.TryForward(z, z, x, w.AsSpan(0, 8 * 32), bias.AsSpan(0, 8), Activation.Linear, 64, 8, 32, null), Is.False,
            "8 outputs: the transposed product");
        Assert.That(z, Is.All.EqualTo(7f), "nothing written");
    }

    [Test]
    public void ThrowsOnMismatchedSpansNamingTheOperand()
    {
        float[] x = new float[64 * 32], w = new float[64 * 32], bias = new float[64], z = new float[64 * 64];
        var e = Assert.Throws<ArgumentException>(() => DenseKernels.TryForward(new float[64 * 63], z, x, w, bias, Activation.Tanh, 64, 64, 32, null));
        Assert.That(e!.ParamName, Is.EqualTo("y"));
        e = Assert.Throws<ArgumentException>(() => DenseKernels.TryForward(z, z, x, w, new float[63], Activation.Tanh, 64, 64, 32, null));
        Assert.That(e!.ParamName, Is.EqualTo("bias"));
        e = Assert.Throws<ArgumentException>(() => DenseKernels.TryForward(z, z, x, new float[64 * 31], bias, Activation.Tanh, 64, 64, 32, null));
        Assert.That(e!.ParamName, Is.EqualTo("b"));
        Assert.That(e.Message, Does.Contain("1984").And.Contain("2048"));
        e = Assert.Throws<ArgumentException>(() => DenseKernels.TryForward(z, new float[10], x, w, bias, Activation.Tanh, 64, 64, 32, null));
        Assert.That(e!.ParamName, Is.EqualTo("c"));
    }

    private static void AssertSameAsUnfused(GemmIsa isa, Activation activation, float[] x, float[] w, float[] bias, int rows, int columns, int inputs,
        bool inPlace, WorkerPool? pool, string where)
    {
        int n = rows * columns;
        float[] z0 = Enumerable.Range(0, n).Select(i => (float)(i % 7) - 3f).ToArray();       // stale values both must overwrite
        float[] y0 = Enumerable.Range(0, n).Select(i => (float)(i % 5) + 0.5f).ToArray();
        float[] fusedZ = (float[])z0.Clone(), fusedY = inPlace ? fusedZ : (float[])y0.Clone();
        float[] twoZ = (float[])z0.Clone(), twoY = inPlace ? twoZ : (float[])y0.Clone();
        Assert.That(DenseKernels.TryForwardOn(isa, fusedY, fusedZ, x, w, bias, activation, rows, columns, inputs, pool), Is.True, where);
        DenseKernels.ForwardUnfusedOn(isa, twoY, twoZ, x, w, bias, activation, rows, columns, inputs);
        Assert.That(Bits(fusedY), Is.EqualTo(Bits(twoY)), where + ": y");
        if (!inPlace) Assert.That(Bits(fusedZ), Is.EqualTo(Bits(twoZ)), where + ": z");
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    private static float[] Values(Random rng, int n, float scale) => Enumerable.Range(0, n).Select(_ => scale * (2f * (float)rng.NextDouble() - 1f)).ToArray();
}
