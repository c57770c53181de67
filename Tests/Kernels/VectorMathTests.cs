using System;
using System.Linq;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Kernels;

[TestFixture]
public sealed class VectorMathTests
{
    private static readonly GemmIsa[] Isas = Enum.GetValues<GemmIsa>().Where(GemmIsas.IsSupported).ToArray();

    // A dense grid: every 1/4096 over [-12, 12], then coarser out to ±100, plus the edges.
    private static float[] Grid()
    {
        var points = new System.Collections.Generic.List<float>();
        for (int i = -12 * 4096; i <= 12 * 4096; i++) points.Add(i / 4096f);
        for (int i = -1000; i <= 1000; i++) points.Add(i / 10f);
        points.AddRange(new[] { 1e-30f, -1e-30f, 1e-7f, -1e-7f, 0f, -0f, 87f, -87f, -87.5f, -88f, -100f, 100f, 1000f, -1000f, 8.999f, 9f, 9.001f });
        return points.ToArray();
    }

    [Test]
    public void ExpIsWithinTwoUlpForNonPositiveArguments()
    {
        float[] x = Grid().Where(v => v <= 0f).ToArray(), y = new float[x.Length];
        foreach (GemmIsa isa in Isas)
        {
            VectorMath.ExpOn(isa, x, y);
            double worst = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double exact = Math.Exp(x[i]);
                if (x[i] < VectorMath.ExpFloor) { Assert.That(y[i], Is.EqualTo(0f), $"exp({x[i]}) on {isa}"); continue; }
                worst = Math.Max(worst, Ulps(y[i], exact));
            }
            Assert.That(worst, Is.LessThanOrEqualTo(2.0), $"exp on {isa}");
        }
    }

    [TestCase(ActivationKind.Tanh, 6.0)]
    [TestCase(ActivationKind.Sigmoid, 3.0)]
    [TestCase(ActivationKind.Softplus, 3.0)]
    [TestCase(ActivationKind.Elu, 3.0)]
    [TestCase(ActivationKind.Swish, 4.0)]
    public void ActivationIsWithinItsUlpBoundOfTheDoubleDefinition(ActivationKind kind, double bound)
    {
        Activation activation = Activation.FromKind(kind, kind == ActivationKind.Elu ? 1f : 0f);
        float[] x = Grid(), y = new float[x.Length];
        foreach (GemmIsa isa in Isas)
        {
            ActivationKernels.ForwardOn(isa, y, (float[])x.Clone(), default, activation, 1, x.Length);
            double worst = 0;
            float at = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double exact = ActivationFunctions.Forward(activation, x[i]);
                if (kind == ActivationKind.Swish && x[i] < VectorMath.ExpFloor)
                {
                    // σ(x) is flushed to 0 below e^−87 (as exp is), so x·σ(x) is 0 there; its true size is below 1e−35.
                    Assert.That(y[i], Is.EqualTo(0f), $"swish({x[i]}) on {isa}");
                    Assert.That(Math.Abs(exact), Is.LessThan(1e-35));
                    continue;
                }
                // ELU near 0⁻ is eˣ − 1: absolute error of one ulp of 1 is what float can do there.
                double error = kind == ActivationKind.Elu && x[i] < 0 && x[i] > -1 ? Math.Abs(y[i] - exact) / (Math.Pow(2, -24)) : Ulps(y[i], exact);
                if (error > worst) { worst = error; at = x[i]; }
            }
            TestContext.Out.WriteLine($"{kind} on {isa}: worst {worst:F2} ulp at {at}");
            Assert.That(worst, Is.LessThanOrEqualTo(bound), $"{kind} on {isa}, worst at {at}");
        }
    }

    [Test]
    public void TanhNeverLeavesMinusOneToOne()
    {
        float[] x = Grid(), y = new float[x.Length];
        foreach (GemmIsa isa in Isas)
        {
            ActivationKernels.ForwardOn(isa, y, (float[])x.Clone(), default, Activation.Tanh, 1, x.Length);
            Assert.That(y.All(v => v >= -1f && v <= 1f), Is.True, $"tanh on {isa}");
        }
    }

    // |actual − exact| in units of the float spacing at exact; below 2⁻¹²⁵ (where exp is flushed to 0) in units of 2⁻¹²⁵.
    private static double Ulps(float actual, double exact)
    {
        if (Math.Abs(exact) < Math.Pow(2, -125)) return Math.Abs(actual - exact) / Math.Pow(2, -125);
        double magnitude = Math.Abs(exact);
        int exponent = (int)Math.Floor(Math.Log2(magnitude));
        double ulp = Math.Pow(2, exponent - 23);
        return Math.Abs(actual - exact) / ulp;
    }
}
