using System;
using System.Collections.Generic;
using System.Linq;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Kernels;

[TestFixture]
public sealed class DenseChainTests
{
    private static readonly GemmIsa[] ChainIsas = new[] { GemmIsa.Avx512, GemmIsa.Avx2 }.Where(GemmIsas.IsSupported).ToArray();

    private static readonly int[][] Widths =
    {
        new[] { 32, 64, 64, 8 },          // the agent network
        new[] { 16, 64, 64, 4 },
        new[] { 7, 37, 23, 9 },           // nothing a multiple of a register or of a tile
        new[] { 40, 200, 1 },
        new[] { 5, 256, 256, 9 },         // the widest layers taken
        new[] { 9, 17 },                  // one layer
    };

    private static readonly int[] Rows = { 64, 65, 100, 232, 256 };

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (int[] widths in Widths)
            foreach (ActivationKind kind in Enum.GetValues<ActivationKind>().Where(k => k != ActivationKind.Softmax))
                yield return new TestCaseData(widths, kind).SetArgDisplayNames(string.Join("-", widths), kind.ToString());
    }

    [TestCaseSource(nameof(Cases))]
    public void IsBitwiseTheLayerByLayerPass(int[] widths, ActivationKind kind)
    {
        if (ChainIsas.Length == 0)
        {
            Assert.That(DenseChain.Prefers(GemmIsas.Best, Layers(widths, Activation.Tanh, out _), 256), Is.False, "no chain without AVX2 or AVX-512");
            return;
        }
        Activation activation = kind is ActivationKind.LeakyRelu or ActivationKind.Elu ? Activation.FromKind(kind, 0.3f) : Activation.FromKind(kind, 0f);
        DenseChainLayer[] layers = Layers(widths, activation, out int parameterCount);
        var rng = new Random(widths.Sum() * 31 + (int)kind);
        float[] parameters = RandomArray(rng, parameterCount, 0.4f);
        foreach (int rows in Rows)
        {
            float[] x = RandomArray(rng, rows * widths[0], 2f);
            foreach (GemmIsa isa in ChainIsas)
            {
                Assert.That(DenseChain.Prefers(isa, layers, rows), Is.True, $"{isa}, {rows} rows");
                float[] expected = LayerByLayer(isa, x, rows, parameters, layers);
                float[] actual = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
                DenseChain.Run(isa, actual, x, rows, parameters, layers);
                Assert.That(Bits(actual), Is.EqualTo(Bits(expected)), $"{isa}, {rows} rows");
            }
        }
    }

    [Test]
    public void DeclinesWhatTheLayerPassComputesDifferently()
    {
        foreach (GemmIsa isa in ChainIsas)
        {
            DenseChainLayer[] agent = Layers(new[] { 32, 64, 64, 8 }, Activation.Tanh, out _);
            Assert.That(DenseChain.Prefers(isa, agent, 256), Is.True);
            Assert.That(DenseChain.Prefers(isa, agent, 63), Is.False, "an 8-wide output below 64 rows takes the direct dot products");
            Assert.That(DenseChain.Prefers(isa, agent, 4), Is.False, "four rows take the direct path");
            Assert.That(DenseChain.Prefers(isa, Layers(new[] { 32, 64, 10 }, Activation.Softmax, out _), 256), Is.False, "softmax mixes a row");
            Assert.That(DenseChain.Prefers(isa, Layers(new[] { 32, 300, 8 }, Activation.Relu, out _), 256), Is.False, "wider than the scratch");
            Assert.That(DenseChain.Prefers(isa, Layers(new[] { 32, 64, 64, 8 }, Activation.Relu, out _).Take(0).ToArray(), 256), Is.False, "no layers");
        }
        Assert.That(DenseChain.Prefers(GemmIsa.Scalar, Layers(new[] { 32, 64, 8 }, Activation.Tanh, out _), 256), Is.False, "scalar keeps the layer pass");
        Assert.That(DenseChain.Prefers(GemmIsa.Vector, Layers(new[] { 32, 64, 8 }, Activation.Tanh, out _), 256), Is.False, "System.Numerics.Vector keeps the layer pass");
    }

    [Test]
    public void AllocatesNothingOnceWarm()
    {
        foreach (GemmIsa isa in ChainIsas)
        {
            DenseChainLayer[] layers = Layers(new[] { 32, 64, 64, 8 }, Activation.Tanh, out int count);
            var rng = new Random(5);
            float[] parameters = RandomArray(rng, count, 0.3f), x = RandomArray(rng, 256 * 32, 1f), y = new float[256 * 8];
            DenseChain.Run(isa, y, x, 256, parameters, layers);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++) DenseChain.Run(isa, y, x, 256, parameters, layers);
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero, isa.ToString());
        }
        if (ChainIsas.Length == 0) Assert.That(DenseChain.Prefers(GemmIsas.Best, Layers(new[] { 32, 64, 8 }, Activation.Tanh, out _), 256), Is.False);
    }

    // Each layer's W then b, one after another in one array, as a brain's arena holds them.
    private static DenseChainLayer[] Layers(int[] widths, Activation hidden, out int parameterCount)
    {
        var layers = new DenseChainLayer[widths.Length - 1];
        int offset = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            int inputs = widths[i], outputs = widths[i + 1];
            Activation f = i == layers.Length - 1 && hidden.Kind != ActivationKind.Softmax && layers.Length > 1 ? Activation.Linear : hidden;
            layers[i] = new DenseChainLayer(offset, offset + outputs * inputs, inputs, outputs, f);
            offset += outputs * inputs + outputs;
        }
        parameterCount = offset;
        return layers;
    }

    // The brain's layer-by-layer inference: z = x·Wᵀ by the GEMM, then z += b and y = f(z).
    private static float[] LayerByLayer(GemmIsa isa, float[] x, int rows, float[] parameters, DenseChainLayer[] layers)
    {
        float[] input = x;
        foreach (DenseChainLayer l in layers)
        {
            float[] z = new float[rows * l.Outputs], y = new float[rows * l.Outputs];
            Gemm.MultiplyOn(isa, z, input, parameters.AsSpan(l.WeightOffset, l.Outputs * l.Inputs), rows, l.Outputs, l.Inputs,
                transposeA: false, transposeB: true, accumulate: false, pool: null);
            ActivationKernels.ForwardOn(isa, y, z, parameters.AsSpan(l.BiasOffset, l.Outputs), l.Activation, rows, l.Outputs);
            input = y;
        }
        return input;
    }

    private static float[] RandomArray(Random rng, int n, float scale)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return a;
    }

    private static int[] Bits(float[] a) => a.Select(BitConverter.SingleToInt32Bits).ToArray();
}
