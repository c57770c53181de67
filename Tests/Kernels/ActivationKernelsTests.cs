using System;
using System.Collections.Generic;
using System.Linq;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Kernels;

[TestFixture]
public sealed class ActivationKernelsTests
{
    private static readonly GemmIsa[] Isas = Enum.GetValues<GemmIsa>().Where(GemmIsas.IsSupported).ToArray();

    private static readonly (int Rows, int Columns)[] Shapes = { (1, 1), (1, 7), (3, 17), (5, 64), (7, 10), (2, 33), (13, 100), (4, 8) };

    public static IEnumerable<Activation> All() => Catalog.ActivationsWithParameters;

    // Relative bound between the vectorised functions and the MathF / TensorPrimitives reference (both a few ulp from exact).
    private const double Relative = 1e-6, Absolute = 1e-7;

    [TestCaseSource(nameof(All))]
    public void ForwardMatchesNaiveOnEveryInstructionSet(Activation activation)
    {
        foreach (var (rows, columns) in Shapes)
        {
            var rng = new Random(rows * 131 + columns);
            float[] z0 = Values(rng, rows * columns, 8f), bias = Values(rng, columns, 1f);
            foreach (bool withBias in new[] { false, true })
            {
                float[] zExpected = (float[])z0.Clone(), yExpected = new float[z0.Length];
                ActivationKernelsNaive.BiasActivationForward(yExpected, zExpected, withBias ? bias : default, activation, rows, columns);
                foreach (GemmIsa isa in Isas)
                {
                    float[] z = (float[])z0.Clone(), y = new float[z0.Length];
                    ActivationKernels.ForwardOn(isa, y, z, withBias ? bias : default, activation, rows, columns);
                    string where = $"{activation} {rows}x{columns} bias={withBias} {isa}";
                    Assert.That(z, Is.EqualTo(zExpected), where + ": z + b");
                    AssertClose(y, yExpected, where);
                }
            }
        }
    }

    [TestCaseSource(nameof(All))]
    public void InPlaceForwardGivesTheSameOutputsAsForward(Activation activation)
    {
        foreach (var (rows, columns) in Shapes)
        {
            var rng = new Random(rows * 17 + columns);
            float[] z0 = Values(rng, rows * columns, 8f), bias = Values(rng, columns, 1f);
            foreach (bool withBias in new[] { false, true })
            {
                foreach (GemmIsa isa in Isas)
                {
                    float[] y = new float[z0.Length], values = (float[])z0.Clone();
                    ActivationKernels.ForwardOn(isa, y, (float[])z0.Clone(), withBias ? bias : default, activation, rows, columns);
                    ActivationKernels.InPlaceOn(isa, values, withBias ? bias : default, activation, rows, columns);
                    Assert.That(values, Is.EqualTo(y), $"{activation} {rows}x{columns} bias={withBias} {isa}");
                }
            }
        }
        var e = Assert.Throws<ArgumentException>(() => ActivationKernels.BiasActivationInPlace(new float[5], default, activation, 2, 3));
        Assert.That(e!.ParamName, Is.EqualTo("values"));
    }

    [TestCaseSource(nameof(All))]
    public void BackwardMatchesNaiveOnEveryInstructionSet(Activation activation)
    {
        foreach (var (rows, columns) in Shapes)
        {
            var rng = new Random(rows * 257 + columns);
            float[] z = Values(rng, rows * columns, 8f), y = new float[z.Length], dY = Values(rng, z.Length, 1f);
            ActivationKernelsNaive.BiasActivationForward(y, (float[])z.Clone(), default, activation, rows, columns);
            float[] expected = new float[z.Length];
            ActivationKernelsNaive.Backward(expected, dY, z, y, activation, rows, columns);
            foreach (GemmIsa isa in Isas)
            {
                float[] actual = new float[z.Length];
                ActivationKernels.BackwardOn(isa, actual, dY, z, y, activation, rows, columns);
                AssertClose(actual, expected, $"{activation}' {rows}x{columns} {isa}");
                float[] inPlace = (float[])dY.Clone();
                ActivationKernels.BackwardOn(isa, inPlace, inPlace, z, y, activation, rows, columns);
                Assert.That(inPlace, Is.EqualTo(actual), $"{activation}' {rows}x{columns} {isa}: dZ over dY");
            }
        }
    }

    [TestCaseSource(nameof(All))]
    public void AnElementsValueDoesNotDependOnItsColumn(Activation activation)
    {
        if (activation.IsRowWise) Assert.Pass("Softmax mixes a row; its elements depend on the row by definition.");
        const int columns = 37;
        foreach (float value in new[] { -7.3f, -0.4f, 0.3f, 0.61f, 2.5f })
        {
            foreach (GemmIsa isa in Isas)
            {
                float[] z = Enumerable.Repeat(value, 2 * columns).ToArray(), y = new float[z.Length], dZ = new float[z.Length];
                float[] bias = Enumerable.Repeat(0.25f, columns).ToArray(), dY = Enumerable.Repeat(0.5f, z.Length).ToArray();
                ActivationKernels.ForwardOn(isa, y, z, bias, activation, 2, columns);
                ActivationKernels.BackwardOn(isa, dZ, dY, z, y, activation, 2, columns);
                Assert.That(y.Distinct().Count(), Is.EqualTo(1), $"{activation}({value}) on {isa}: {string.Join(", ", y.Distinct())}");
                Assert.That(dZ.Distinct().Count(), Is.EqualTo(1), $"{activation}'({value}) on {isa}");
            }
        }
    }

    [TestCaseSource(nameof(All))]
    public void NanStaysNanAndInfinitiesGiveTheLimits(Activation activation)
    {
        float[] z = { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1f }, expected = new float[4];
        if (activation.IsRowWise)
        {
            foreach (GemmIsa isa in Isas)
            {
                float[] y = new float[4], row = { 1f, float.NaN, 2f, 3f };
                ActivationKernels.ForwardOn(isa, y, (float[])row.Clone(), default, activation, 1, 4);
                Assert.That(y.All(float.IsNaN), Is.True, $"softmax with a NaN on {isa}: {string.Join(", ", y)}");
            }
            return;
        }
        ActivationKernelsNaive.BiasActivationForward(expected, (float[])z.Clone(), default, activation, 1, 4);
        foreach (GemmIsa isa in Isas)
        {
            float[] y = new float[4];
            ActivationKernels.ForwardOn(isa, y, (float[])z.Clone(), default, activation, 1, 4);
            for (int i = 0; i < 3; i++)
            {
                Assert.That(float.IsNaN(y[i]), Is.EqualTo(float.IsNaN(expected[i])), $"{activation}({z[i]}) on {isa}: {y[i]} vs {expected[i]}");
                if (!float.IsNaN(expected[i])) Assert.That(y[i], Is.EqualTo(expected[i]), $"{activation}({z[i]}) on {isa}");
            }
        }
    }

    [Test]
    public void SoftmaxOfWideRowsSumsToOne()
    {
        foreach (GemmIsa isa in Isas)
        {
            foreach (int columns in new[] { 3, 10, 16, 31, 100 })
            {
                var rng = new Random(columns);
                float[] z = Values(rng, 2 * columns, 30f), y = new float[z.Length];
                ActivationKernels.ForwardOn(isa, y, z, default, Activation.Softmax, 2, columns);
                for (int r = 0; r < 2; r++)
                    Assert.That(y.AsSpan(r * columns, columns).ToArray().Sum(), Is.EqualTo(1f).Within(2e-6), $"{columns} columns on {isa}");
            }
        }
    }

    [Test]
    public void AllocatesNothing()
    {
        float[] z = Values(new Random(1), 64 * 33, 4f), y = new float[z.Length], bias = new float[33], dZ = new float[z.Length];
        Activation[] all = All().ToArray();
        foreach (Activation activation in all)
        {
            ActivationKernels.BiasActivationForward(y, z, bias, activation, 64, 33);
            ActivationKernels.Backward(dZ, y, z, y, activation, 64, 33);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (Activation activation in all)
        {
            ActivationKernels.BiasActivationForward(y, z, bias, activation, 64, 33);
            ActivationKernels.Backward(dZ, y, z, y, activation, 64, 33);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }

    [Test]
    public void ThrowsOnShortSpansNamingThem()
    {
        var e = Assert.Throws<ArgumentException>(() => ActivationKernels.BiasActivationForward(new float[5], new float[6], default, Activation.Sigmoid, 2, 3));
        Assert.That(e!.ParamName, Is.EqualTo("y"));
        Assert.That(e.Message, Does.Contain("5").And.Contain("6"));
        e = Assert.Throws<ArgumentException>(() => ActivationKernels.Backward(new float[6], new float[6], new float[5], new float[6], Activation.Elu, 2, 3));
        Assert.That(e!.ParamName, Is.EqualTo("z"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ActivationKernels.BiasActivationForward(new float[6], new float[6], default, Activation.Tanh, -1, 3));
    }

    private static void AssertClose(float[] actual, float[] expected, string where)
    {
        for (int i = 0; i < actual.Length; i++)
        {
            if (float.IsNaN(expected[i]))
            {
                Assert.That(float.IsNaN(actual[i]), Is.True, $"{where} [{i}]: {actual[i]} vs NaN");
                continue;
            }
            double tolerance = Absolute + Relative * Math.Abs(expected[i]);
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(tolerance), $"{where} [{i}]");
        }
    }

    private static float[] Values(Random rng, int length, float scale)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return values;
    }
}
