using System;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

/// <summary>The lecture notes' one-neuron example: z = wx + b, y = σ(z), L = ½(y − c)², x = 1, c = 1, w = 0, b = 0.</summary>
[TestFixture]
public sealed class NotesExampleTests
{
    [Test]
    public void GradientsAreTheNotesValues()
    {
        using Brain brain = Brain.Create(1).Dense(1, Activation.Sigmoid).Loss(Loss.MeanSquaredError).Optimizer(Optimizer.GradientDescent(1f)).Build(0);
        brain.SetParameters(new float[] { 0f, 0f });                   // w = 0, b = 0
        ReadOnlySpan<float> y = brain.Forward(new float[] { 1f }, 1);  // x = 1
        Assert.That(y[0], Is.EqualTo(0.5f), "y = σ(0)");
        float dLdy = y[0] - 1f;                                        // dL/dy = y − c
        brain.Backward(new[] { dLdy }, 1);
        float[] gradient = new float[2];
        brain.CopyGradientsTo(gradient);
        // dL/dz = dL/dy · σ(z)(1 − σ(z)) = −0.5 · 0.25; dL/dw = dL/dz · x; dL/db = dL/dz.
        Assert.That(gradient[0], Is.EqualTo(-0.125f), "dL/dw");
        Assert.That(gradient[1], Is.EqualTo(-0.125f), "dL/db");
    }

    [Test]
    public void MeanSquaredErrorIsTwiceTheHalfSquare()
    {
        using Brain brain = Brain.Create(1).Dense(1, Activation.Sigmoid).Loss(Loss.MeanSquaredError).Build(0);
        brain.SetParameters(new float[] { 0f, 0f });
        float loss = brain.AccumulateGradients(new float[] { 1f }, new float[] { 1f }, 1);
        float[] gradient = new float[2];
        brain.CopyGradientsTo(gradient);
        Assert.That(loss, Is.EqualTo(0.25f), "(y − c)² = 0.25 = 2 · ½(y − c)²");
        Assert.That(gradient, Is.EqualTo(new[] { -0.25f, -0.25f }));
    }

    [Test]
    public void OneGradientDescentStepMovesDownhill()
    {
        using Brain brain = Brain.Create(1).Dense(1, Activation.Sigmoid).Loss(Loss.MeanSquaredError).Optimizer(Optimizer.GradientDescent(1f)).Build(0);
        brain.SetParameters(new float[] { 0f, 0f });
        brain.Train(new float[] { 1f }, new float[] { 1f }, 1);
        float[] theta = new float[2];
        brain.CopyParametersTo(theta);
        Assert.That(theta, Is.EqualTo(new[] { 0.25f, 0.25f }), "Θ ← Θ − α∇J with α = 1");
    }
}
