using System;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Optimizers;

[TestFixture]
public sealed class OptimizerKernelTests
{
    // 19 values: a full SIMD body plus a scalar tail on any vector width.
    private static float[] Values(int seed, float scale)
    {
        var r = new SeededRandom((ulong)seed);
        float[] v = new float[19];
        for (int i = 0; i < v.Length; i++) v[i] = r.NextFloat(-scale, scale);
        return v;
    }

    [Test]
    public void GradientDescentIsThetaMinusAlphaGradient()
    {
        float[] p = Values(1, 1f), g = Values(2, 1f), expected = new float[19];
        for (int i = 0; i < 19; i++) expected[i] = p[i] - 0.1f * (g[i] * 0.5f + 0.01f * p[i]);
        OptimizerKernels.GradientDescent(p, g, learningRate: 0.1f, weightDecay: 0.01f, gradientScale: 0.5f);
        Assert.That(p, Is.EqualTo(expected).Within(1e-6));
        Assert.That(g, Is.All.EqualTo(0f), "the gradient is consumed");
    }

    [Test]
    public void MomentumAccumulatesVelocity()
    {
        foreach (bool nesterov in new[] { false, true })
        {
            float[] p = Values(3, 1f), v = new float[19], g1 = Values(4, 1f), g2 = Values(5, 1f);
            float[] ep = (float[])p.Clone(), ev = new float[19];
            foreach (float[] g in new[] { g1, g2 })
            {
                for (int i = 0; i < 19; i++)
                {
                    ev[i] = 0.9f * ev[i] + g[i];
                    ep[i] -= 0.05f * (nesterov ? g[i] + 0.9f * ev[i] : ev[i]);
                }
                OptimizerKernels.Momentum(p, v, (float[])g.Clone(), 0.05f, 0.9f, nesterov, 0f, 1f);
            }
            Assert.That(v, Is.EqualTo(ev).Within(1e-6));
            Assert.That(p, Is.EqualTo(ep).Within(1e-6));
        }
    }

    [Test]
    public void AdamMatchesTheFormula()
    {
        float[] p = Values(6, 1f), m = new float[19], v = new float[19];
        double[] ep = Array.ConvertAll(p, x => (double)x), em = new double[19], ev = new double[19];
        for (int step = 1; step <= 3; step++)
        {
            float[] g = Values(10 + step, 2f);
            for (int i = 0; i < 19; i++)
            {
                em[i] = 0.9 * em[i] + 0.1 * g[i];
                ev[i] = 0.999 * ev[i] + 0.001 * g[i] * g[i];
                double mh = em[i] / (1 - Math.Pow(0.9, step)), vh = ev[i] / (1 - Math.Pow(0.999, step));
                ep[i] -= 0.01 * (mh / (Math.Sqrt(vh) + 1e-8) + 0.001 * ep[i]);
            }
            OptimizerKernels.Adam(p, m, v, g, 0.01f, 0.9f, 0.999f, 1e-8f, 0.001f, step, 1f);
        }
        for (int i = 0; i < 19; i++) Assert.That(p[i], Is.EqualTo(ep[i]).Within(1e-5), $"p[{i}]");
        // The first Adam step moves every parameter by about α, whatever the gradient's size.
        float[] q = { 0f }, qm = { 0f }, qv = { 0f };
        OptimizerKernels.Adam(q, qm, qv, new float[] { 1234f }, 0.01f, 0.9f, 0.999f, 1e-8f, 0f, 1, 1f);
        Assert.That(q[0], Is.EqualTo(-0.01f).Within(1e-6));
    }

    [Test]
    public void ThrowsOnMismatchedLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => OptimizerKernels.GradientDescent(new float[3], new float[2], 0.1f, 0f, 1f));
        Assert.That(e!.ParamName, Is.EqualTo("gradients"));
        Assert.That(e.Message, Does.Contain("2").And.Contain("3"));
        e = Assert.Throws<ArgumentException>(() => OptimizerKernels.Momentum(new float[3], new float[1], new float[3], 0.1f, 0.9f, false, 0f, 1f));
        Assert.That(e!.ParamName, Is.EqualTo("velocity"));
        e = Assert.Throws<ArgumentException>(() => OptimizerKernels.Adam(new float[3], new float[3], new float[2], new float[3], 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1, 1f));
        Assert.That(e!.ParamName, Is.EqualTo("moment2"));
        Assert.Throws<ArgumentOutOfRangeException>(() => OptimizerKernels.Adam(new float[1], new float[1], new float[1], new float[1], 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 0, 1f));
    }

    [Test]
    public void DescriptorsValidate()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.GradientDescent(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.GradientDescent(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.WithMomentum(0.1f, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.Adam(beta2: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Optimizer.Adam().WithGradientClipping(-1f));
        Assert.That(Optimizer.Adam().MomentCount, Is.EqualTo(2));
        Assert.That(Optimizer.WithMomentum(0.1f).MomentCount, Is.EqualTo(1));
        Assert.That(Optimizer.GradientDescent(0.1f).MomentCount, Is.EqualTo(0));
    }
}
