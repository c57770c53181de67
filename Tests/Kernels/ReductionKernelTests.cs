using System;
using System.Linq;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Kernels;

[TestFixture]
public sealed class ReductionKernelTests
{
    [Test]
    public void ColumnSumAddsRows()
    {
        float[] x = { 1, 2, 3, 4, 5, 6 }, sums = { 10, 20, 30 };
        ReductionKernels.ColumnSum(sums, x, 2, 3, accumulate: true);
        Assert.That(sums, Is.EqualTo(new float[] { 15, 27, 39 }));
        ReductionKernels.ColumnSum(sums, x, 2, 3, accumulate: false);
        Assert.That(sums, Is.EqualTo(new float[] { 5, 7, 9 }));
    }

    [TestCase(1, 1)]
    [TestCase(3, 7)]
    [TestCase(64, 8)]
    [TestCase(17, 64)]
    [TestCase(5, 100)]
    [TestCase(33, 257)]
    public void ColumnSumIsTheNaiveSumBitForBitOnEveryInstructionSet(int rows, int columns)
    {
        var rng = new Random(rows * 1000 + columns);
        float[] x = new float[rows * columns], start = new float[columns];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1) * 1000f;
        for (int i = 0; i < columns; i++) start[i] = (float)rng.NextDouble();
        foreach (bool accumulate in new[] { false, true })
        {
            float[] expected = (float[])start.Clone();
            ReductionKernelsNaive.ColumnSum(expected, x, rows, columns, accumulate);
            foreach (GemmIsa isa in Enum.GetValues<GemmIsa>().Where(GemmIsas.IsSupported))
            {
                float[] actual = (float[])start.Clone();
                ReductionKernels.ColumnSumOn(isa, actual, x, rows, columns, accumulate);
                Assert.That(actual, Is.EqualTo(expected), $"{isa} accumulate={accumulate}");
            }
        }
    }

    [Test]
    public void SumOfSquaresIsAccurateOverManyValues()
    {
        float[] x = new float[100_001];
        Array.Fill(x, 0.1f);
        // Float within blocks of 1024, double across them: relative error well under 1e-5 on every instruction set.
        Assert.That(ReductionKernels.SumOfSquares(x), Is.EqualTo(100_001 * (double)0.1f * 0.1f).Within(1e-5 * 1000));
    }

    [Test]
    public void LerpMovesTowardsTheSource()
    {
        float[] d = new float[19], s = new float[19];
        for (int i = 0; i < 19; i++) { d[i] = i; s[i] = 100 + i; }
        ReductionKernels.Lerp(d, s, 0.25f);
        for (int i = 0; i < 19; i++) Assert.That(d[i], Is.EqualTo(i + 25f).Within(1e-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReductionKernels.Lerp(d, s, 1.5f));
    }

    [Test]
    public void ThrowsOnShortSpans()
    {
        var e = Assert.Throws<ArgumentException>(() => ReductionKernels.ColumnSum(new float[3], new float[5], 2, 3, false));
        Assert.That(e!.ParamName, Is.EqualTo("x"));
        e = Assert.Throws<ArgumentException>(() => ReductionKernels.ColumnSum(new float[2], new float[6], 2, 3, false));
        Assert.That(e!.ParamName, Is.EqualTo("sums"));
        Assert.Throws<ArgumentException>(() => ReductionKernels.Lerp(new float[3], new float[2], 0.5f));
    }
}
