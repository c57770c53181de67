using System;
using System.Collections.Generic;
using Cortex.Diagnostics;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Diagnostics;

/// <summary>Every hand-written backward (brains on every activation and loss, the activation and loss kernels) against the autodiff engine's reverse and forward modes and finite differences.</summary>
[TestFixture]
public sealed class GradientCheckTests
{
    public static IEnumerable<TestCaseData> NetworkCases()
    {
        foreach (Activation activation in Catalog.ActivationsWithParameters)
        {
            foreach (Loss loss in Catalog.LossesWithParameters)
            {
                foreach (int size in new[] { 1, 3, 17 })
                {
                    yield return new TestCaseData(activation, loss, size).SetName($"GradientCheck({activation}, {loss}, {size})");
                }
            }
        }
    }

    public static IEnumerable<TestCaseData> ActivationCases()
    {
        foreach (Activation activation in Catalog.ActivationsWithParameters) yield return new TestCaseData(activation).SetName($"GradientCheck({activation})");
    }

    public static IEnumerable<TestCaseData> LossCases()
    {
        foreach (Loss loss in Catalog.LossesWithParameters) yield return new TestCaseData(loss).SetName($"GradientCheck({loss})");
    }

    [TestCaseSource(nameof(NetworkCases))]
    public void DenseLayersActivationsAndLossAgreeThreeWays(Activation activation, Loss loss, int size)
    {
        (Brain brain, float[] inputs, float[] targets) = Catalog.CheckNetwork(activation, loss, size, seed: 1000 + (ulong)size);
        using var owned = brain;

        GradientCheckReport report = GradientCheck.Brain(brain, inputs, targets, size);

        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report.AgainstReverse.Checked, Is.EqualTo(brain.ParameterCount));
        Assert.That(report.AgainstForward.Checked, Is.EqualTo(brain.ParameterCount));
        Assert.That(report.AgainstFiniteDifferences.Checked + report.AgainstFiniteDifferences.Skipped, Is.EqualTo(brain.ParameterCount));
        bool smooth = activation.Kind is ActivationKind.Linear or ActivationKind.Sigmoid or ActivationKind.Tanh or ActivationKind.Softplus or ActivationKind.Softmax
            && loss.Kind is LossKind.MeanSquaredError or LossKind.SoftmaxCrossEntropy or LossKind.BinaryCrossEntropy;
        if (smooth) Assert.That(report.AgainstFiniteDifferences.Skipped, Is.EqualTo(0), "a smooth network has no kinks to skip");
    }

    [TestCaseSource(nameof(ActivationCases))]
    public void ActivationBackwardAgreesThreeWays(Activation activation)
    {
        foreach (int size in new[] { 1, 3, 17 })
        {
            GradientCheckReport report = GradientCheck.Activation(activation, size, Math.Max(2, size), seed: (ulong)size);
            Assert.That(report.Passed, Is.True, report.ToString());
        }
    }

    [TestCaseSource(nameof(LossCases))]
    public void LossBackwardAgreesThreeWays(Loss loss)
    {
        foreach (int size in new[] { 1, 3, 17 })
        {
            int columns = loss.Kind == LossKind.SoftmaxCrossEntropy ? Math.Max(2, size) : size;
            GradientCheckReport report = GradientCheck.Loss(loss, size, columns, seed: 40 + (ulong)size);
            Assert.That(report.Passed, Is.True, report.ToString());
        }
    }

    [Test]
    public void ADeliberatelyBrokenBackwardIsCaught()
    {
        BrainSpec spec = Brain.Create(3).Dense(4, Activation.Tanh).Loss(Loss.MeanSquaredError).MaxBatch(5).ToSpec();
        var random = new SeededRandom(3);
        float[] theta = new float[spec.ParameterCount], x = new float[15], c = new float[20];
        for (int i = 0; i < theta.Length; i++) theta[i] = random.NextFloat(-1f, 1f);
        for (int i = 0; i < x.Length; i++) x[i] = random.NextFloat(-1f, 1f);
        for (int i = 0; i < c.Length; i++) c[i] = random.NextFloat(-1f, 1f);

        float[] correct = TestOnlyDense.Gradient(theta, x, c, broken: false);
        float[] broken = TestOnlyDense.Gradient(theta, x, c, broken: true);

        Assert.That(GradientCheck.Network(spec, theta, correct, x, c, 5).Passed, Is.True, "the test-only layer is right when not broken");
        GradientCheckReport report = GradientCheck.Network(spec, theta, broken, x, c, 5);
        Assert.That(report.AgainstReverse.Passed, Is.False);
        Assert.That(report.AgainstForward.Passed, Is.False);
        Assert.That(report.AgainstFiniteDifferences.Passed, Is.False);
        Assert.That(report.Passed, Is.False);
    }

    /// <summary>A dense tanh layer with MSE, written out with the kernels; "broken" forgets f′ in the backward pass.</summary>
    private static class TestOnlyDense
    {
        public static float[] Gradient(float[] theta, float[] x, float[] c, bool broken)
        {
            const int batch = 5, inputs = 3, outputs = 4;
            ReadOnlySpan<float> w = theta.AsSpan(0, 12), b = theta.AsSpan(12, 4);
            float[] z = new float[batch * outputs], y = new float[batch * outputs], dY = new float[batch * outputs], grad = new float[16];
            Gemm.Multiply(z, x, w, batch, outputs, inputs, false, true, false);
            ActivationKernels.BiasActivationForward(y, z, b, Activation.Tanh, batch, outputs);
            LossKernels.Backward(dY, Loss.MeanSquaredError, y, z, c, batch, outputs);
            if (!broken) ActivationKernels.Backward(dY, dY, z, y, Activation.Tanh, batch, outputs);
            Gemm.Multiply(grad.AsSpan(0, 12), dY, x, outputs, inputs, batch, true, false, false);
            ReductionKernels.ColumnSum(grad.AsSpan(12, 4), dY, batch, outputs, false);
            return grad;
        }
    }
}
