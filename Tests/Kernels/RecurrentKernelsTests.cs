using System;
using System.Linq;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Kernels;

[TestFixture]
public sealed class RecurrentKernelsTests
{
    private static readonly GemmIsa[] Isas = Enum.GetValues<GemmIsa>().Where(GemmIsas.IsSupported).ToArray();

    // (rows, hidden): widths below, at and across every register width, so bodies and tails are all exercised.
    private static readonly (int Rows, int Hidden)[] Shapes = { (1, 1), (1, 7), (3, 8), (2, 17), (5, 64), (4, 33), (7, 100) };

    // The vectorised σ and tanh against MathF (both a few ulp from exact); the floor covers values near zero.
    private const double Relative = 1e-6, Absolute = 1e-7;

    [Test]
    public void ForwardMatchesTheScalarTwinOnEveryInstructionSet()
    {
        foreach (var (rows, hidden) in Shapes)
        {
            var (gx, gh, h) = Operands(new Random(rows * 97 + hidden), rows, hidden);
            float[] hExpected = new float[rows * hidden], gatesExpected = new float[rows * 3 * hidden];
            RecurrentKernelsNaive.GruGatesForward(hExpected, gatesExpected, gx, gh, h, rows, hidden);
            foreach (GemmIsa isa in Isas)
            {
                float[] hNext = new float[hExpected.Length], gates = new float[gatesExpected.Length];
                RecurrentKernels.GruGatesForwardOn(isa, hNext, gates, gx, gh, h, rows, hidden);
                string where = $"{rows}x{hidden} {isa}";
                AssertClose(gates, gatesExpected, where + ": gates");
                AssertClose(hNext, hExpected, where + ": h′");

                float[] state = (float[])h.Clone(), gatesInPlace = new float[gates.Length];
                RecurrentKernels.GruGatesForwardOn(isa, state, gatesInPlace, gx, gh, state, rows, hidden);
                Assert.That(state, Is.EqualTo(hNext), where + ": h′ over h");
                Assert.That(gatesInPlace, Is.EqualTo(gates), where + ": gates with h′ over h");
            }
        }
    }

    [Test]
    public void BackwardEqualsTheScalarTwinBitForBitOnEveryInstructionSet()
    {
        foreach (var (rows, hidden) in Shapes)
        {
            var rng = new Random(rows * 31 + hidden);
            var (gx, gh, h) = Operands(rng, rows, hidden);
            float[] hNext = new float[rows * hidden], gates = new float[rows * 3 * hidden];
            RecurrentKernelsNaive.GruGatesForward(hNext, gates, gx, gh, h, rows, hidden);
            float[] dHNext = Values(rng, rows * hidden, 1f), dH0 = Values(rng, rows * hidden, 1f);
            float[] dGxExpected = new float[gates.Length], dGhExpected = new float[gates.Length], dHExpected = (float[])dH0.Clone();
            RecurrentKernelsNaive.GruGatesBackward(dGxExpected, dGhExpected, dHExpected, dHNext, gates, gh, h, rows, hidden);
            foreach (GemmIsa isa in Isas)
            {
                float[] dGx = new float[gates.Length], dGh = new float[gates.Length], dH = (float[])dH0.Clone();
                RecurrentKernels.GruGatesBackwardOn(isa, dGx, dGh, dH, dHNext, gates, gh, h, rows, hidden);
                string where = $"{rows}x{hidden} {isa}";
                Assert.That(dGx, Is.EqualTo(dGxExpected), where + ": dgx");
                Assert.That(dGh, Is.EqualTo(dGhExpected), where + ": dgh");
                Assert.That(dH, Is.EqualTo(dHExpected), where + ": dh");
            }
        }
    }

    [Test]
    public void AnElementsValueDoesNotDependOnItsColumn()
    {
        // The same gate inputs in every column of a wide row must give the same outputs in every column (body and tail alike).
        const int hidden = 45;
        foreach (GemmIsa isa in Isas)
        {
            float[] gx = new float[3 * hidden], gh = new float[3 * hidden], h = new float[hidden];
            for (int j = 0; j < hidden; j++)
            {
                gx[j] = 0.3f; gx[hidden + j] = -1.7f; gx[2 * hidden + j] = 0.9f;
                gh[j] = -0.2f; gh[hidden + j] = 0.4f; gh[2 * hidden + j] = -2.1f;
                h[j] = 0.55f;
            }
            float[] hNext = new float[hidden], gates = new float[3 * hidden];
            RecurrentKernels.GruGatesForwardOn(isa, hNext, gates, gx, gh, h, 1, hidden);
            Assert.That(hNext, Is.All.EqualTo(hNext[0]), $"h′ on {isa}");
            for (int block = 0; block < 3; block++)
                Assert.That(gates.AsSpan(block * hidden, hidden).ToArray(), Is.All.EqualTo(gates[block * hidden]), $"gate block {block} on {isa}");
        }
    }

    [Test]
    public void SaturatedGatesStayFinite()
    {
        float[] gx = { 200f, -200f, 90f, -90f, 50f, -50f }, gh = { 0f, 0f, 0f, 0f, 1f, 1f }, h = { 0.5f, -0.5f };
        foreach (GemmIsa isa in Isas)
        {
            float[] hNext = new float[2], gates = new float[6];
            RecurrentKernels.GruGatesForwardOn(isa, hNext, gates, gx, gh, h, 1, 2);
            Assert.That(gates, Is.EqualTo(new[] { 1f, 0f, 1f, 0f, 1f, -1f }).Within(1e-6), $"gates on {isa}");
            Assert.That(hNext, Is.EqualTo(new[] { 0.5f, -1f }).Within(1e-6), $"h′ on {isa}");
        }
    }

    [Test]
    public void AllocatesNothing()
    {
        const int rows = 16, hidden = 64;
        var (gx, gh, h) = Operands(new Random(5), rows, hidden);
        float[] hNext = new float[rows * hidden], gates = new float[rows * 3 * hidden], dGx = new float[gates.Length], dGh = new float[gates.Length];
        float[] dH = new float[hNext.Length], dHNext = Values(new Random(6), hNext.Length, 1f);
        RecurrentKernels.GruGatesForward(hNext, gates, gx, gh, h, rows, hidden);
        RecurrentKernels.GruGatesBackward(dGx, dGh, dH, dHNext, gates, gh, h, rows, hidden);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            RecurrentKernels.GruGatesForward(hNext, gates, gx, gh, h, rows, hidden);
            RecurrentKernels.GruGatesBackward(dGx, dGh, dH, dHNext, gates, gh, h, rows, hidden);
        }
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.EqualTo(0));
    }

    private static (float[] Gx, float[] Gh, float[] H) Operands(Random rng, int rows, int hidden) =>
        (Values(rng, rows * 3 * hidden, 4f), Values(rng, rows * 3 * hidden, 4f), Values(rng, rows * hidden, 1f));

    private static float[] Values(Random rng, int n, float scale)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return v;
    }

    private static void AssertClose(float[] actual, float[] expected, string where)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(Relative * Math.Abs(expected[i]) + Absolute), $"{where} [{i}]");
    }
}
