using System;
using System.Collections.Generic;
using Cortex.Diagnostics;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Losses;

[TestFixture]
public sealed class LossTests
{
    public static IEnumerable<Loss> All() => new[]
    {
        Loss.MeanSquaredError, Loss.SoftmaxCrossEntropy, Loss.BinaryCrossEntropy, Loss.Hinge, Loss.Huber, Loss.HuberWithDelta(0.3f),
    };

    [TestCaseSource(nameof(All))]
    public void KernelMatchesReference(Loss loss)
    {
        foreach (int size in new[] { 1, 3, 17 })
        {
            int rows = size, columns = Math.Max(size, loss.Kind == LossKind.SoftmaxCrossEntropy ? 2 : 1);
            var random = new SeededRandom((ulong)size);
            float[] input = new float[rows * columns], target = new float[rows * columns], y = new float[rows * columns];
            for (int i = 0; i < input.Length; i++) input[i] = random.NextFloat(-3f, 3f);
            GradientCheck.MakeTargets(loss, target, rows, columns, random);
            float[] z = (float[])input.Clone();
            Activation output = loss.Kind switch { LossKind.SoftmaxCrossEntropy => Activation.Softmax, LossKind.BinaryCrossEntropy => Activation.Sigmoid, _ => Activation.Linear };
            ActivationKernels.BiasActivationForward(y, z, default, output, rows, columns);
            float actual = LossKernels.Forward(loss, y, z, target, rows, columns);
            double expected = loss.Reference(Array.ConvertAll(input, v => (double)v), Array.ConvertAll(target, v => (double)v), rows, columns);
            Assert.That(actual, Is.EqualTo(expected).Within(1e-5 + 1e-5 * Math.Abs(expected)), $"{loss} ({rows}, {columns})");
        }
    }

    [TestCaseSource(nameof(All))]
    public void BackwardMatchesFiniteDifferences(Loss loss)
    {
        foreach (int size in new[] { 1, 3, 17 })
        {
            int columns = Math.Max(size, loss.Kind == LossKind.SoftmaxCrossEntropy ? 2 : 1);
            GradientCheckReport report = GradientCheck.Loss(loss, size, columns, seed: 7 + (ulong)size);
            Assert.That(report.Passed, Is.True, report.ToString());
        }
    }

    [Test]
    public void MeanSquaredErrorIsTheMeanOverElements()
    {
        float[] y = { 1, 2, 3, 4 }, c = { 0, 0, 0, 0 }, g = new float[4];
        Assert.That(LossKernels.Forward(Loss.MeanSquaredError, y, y, c, 2, 2), Is.EqualTo(30f / 4));
        LossKernels.Backward(g, Loss.MeanSquaredError, y, y, c, 2, 2);
        Assert.That(g, Is.EqualTo(new float[] { 0.5f, 1f, 1.5f, 2f }));
    }

    [Test]
    public void CrossEntropyIsStableForHugeLogits()
    {
        float[] z = { 1000f, -1000f, 0f }, y = new float[3], c = { 0f, 1f, 0f }, g = new float[3];
        ActivationKernels.BiasActivationForward(y, (float[])z.Clone(), default, Activation.Softmax, 1, 3);
        float loss = LossKernels.Forward(Loss.SoftmaxCrossEntropy, y, z, c, 1, 3);
        Assert.That(loss, Is.EqualTo(2000f).Within(1e-2), "−ln softmax = 1000 − (−1000)");
        LossKernels.Backward(g, Loss.SoftmaxCrossEntropy, y, z, c, 1, 3);
        Assert.That(g, Is.EqualTo(new float[] { 1f, -1f, 0f }).Within(1e-6));
    }

    [Test]
    public void BinaryCrossEntropyIsStableForHugeLogits()
    {
        float[] z = { 1000f, -1000f }, y = new float[2], c = { 0f, 0f };
        ActivationKernels.BiasActivationForward(y, (float[])z.Clone(), default, Activation.Sigmoid, 1, 2);
        Assert.That(LossKernels.Forward(Loss.BinaryCrossEntropy, y, z, c, 1, 2), Is.EqualTo(500f).Within(1e-3));
    }

    [Test]
    public void HingeCountsViolatedMargins()
    {
        // true class 0 with score 1; class 1 at 0.5 violates by 0.5, class 2 at -1 does not.
        float[] y = { 1f, 0.5f, -1f }, c = { 1f, 0f, 0f }, g = new float[3];
        Assert.That(LossKernels.Forward(Loss.Hinge, y, y, c, 1, 3), Is.EqualTo(0.5f));
        LossKernels.Backward(g, Loss.Hinge, y, y, c, 1, 3);
        Assert.That(g, Is.EqualTo(new float[] { -1f, 1f, 0f }));
    }

    [Test]
    public void LossesRejectTheWrongOutputLayer()
    {
        var e = Assert.Throws<ArgumentException>(() => Brain.Create(2).Dense(3, Activation.Linear).Loss(Loss.SoftmaxCrossEntropy).Build(1));
        Assert.That(e!.Message, Does.Contain("Softmax").And.Contain("Linear"));
        Assert.Throws<ArgumentException>(() => Brain.Create(2).Dense(1, Activation.Tanh).Loss(Loss.BinaryCrossEntropy).Build(1));
        Assert.Throws<ArgumentException>(() => Brain.Create(2).Dense(1, Activation.Softmax).Loss(Loss.SoftmaxCrossEntropy).Build(1));
    }

    [Test]
    public void ZeroOneLossIsAMetric()
    {
        float[] y = { 0.9f, 0.1f, 0.2f, 0.8f, 0.6f, 0.4f }, c = { 1f, 0f, 1f, 0f, 1f, 0f };
        Assert.That(Metrics.ZeroOneLoss(y, c, 3, 2), Is.EqualTo(1f / 3).Within(1e-7));
        Assert.That(Metrics.Accuracy(y, c, 3, 2), Is.EqualTo(2f / 3).Within(1e-7));
        Assert.That(Metrics.ZeroOneLoss(new float[] { 0.7f, 0.2f }, new float[] { 1f, 1f }, 2, 1), Is.EqualTo(0.5f));
        Assert.Throws<ArgumentException>(() => Metrics.ZeroOneLoss(y, c, 4, 2));
    }

    [Test]
    public void ThrowsOnShortSpans()
    {
        var e = Assert.Throws<ArgumentException>(() => LossKernels.Forward(Loss.MeanSquaredError, new float[4], new float[4], new float[3], 2, 2));
        Assert.That(e!.ParamName, Is.EqualTo("target"));
        e = Assert.Throws<ArgumentException>(() => LossKernels.Backward(new float[3], Loss.MeanSquaredError, new float[4], new float[4], new float[4], 2, 2));
        Assert.That(e!.ParamName, Is.EqualTo("gradient"));
    }
}
