using System;
using Cortex.Diagnostics;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

[TestFixture]
public sealed class GradientCheckTests
{
    // The brain cases of the gradient check (every activation and loss, three ways) are in Tests/Diagnostics/GradientCheckTests.

    [Test]
    public void ABrokenBackwardIsCaught()
    {
        // A check that cannot fail proves nothing: compare against the gradient of the wrong loss.
        using Brain brain = Brain.Create(3).Dense(3, Activation.Tanh).Dense(2, Activation.Linear).Loss(Loss.MeanSquaredError).Build(5);
        var random = new SeededRandom(5);
        float[] inputs = new float[6], targets = new float[4];
        for (int i = 0; i < 6; i++) inputs[i] = random.NextFloat(-1f, 1f);
        for (int i = 0; i < 4; i++) targets[i] = random.NextFloat(-1f, 1f);
        float[] theta = new float[brain.ParameterCount];
        brain.CopyParametersTo(theta);
        double[] thetaD = Array.ConvertAll(theta, v => (double)v);
        BrainSpec wrong = new(3, brain.Spec.Layers, Loss.Huber, brain.Spec.Optimizer, brain.MaxBatch);
        double good = GradientCheck.ReferenceLoss(brain.Spec, thetaD, Array.ConvertAll(inputs, v => (double)v), Array.ConvertAll(targets, v => (double)v), 2);
        double bad = GradientCheck.ReferenceLoss(wrong, thetaD, Array.ConvertAll(inputs, v => (double)v), Array.ConvertAll(targets, v => (double)v), 2);
        Assert.That(good, Is.Not.EqualTo(bad).Within(1e-6));

        using Brain huber = Brain.FromSpec(wrong, 5);
        huber.SetParameters(theta);
        float[] huberGrad = new float[brain.ParameterCount], mseGrad = new float[brain.ParameterCount];
        huber.AccumulateGradients(inputs, targets, 2);
        huber.CopyGradientsTo(huberGrad);
        brain.AccumulateGradients(inputs, targets, 2);
        brain.CopyGradientsTo(mseGrad);
        brain.ZeroGradients();
        Assert.That(huberGrad, Is.Not.EqualTo(mseGrad));
        Assert.That(GradientCheck.Brain(brain, inputs, targets, 2).Passed, Is.True);
    }
}
