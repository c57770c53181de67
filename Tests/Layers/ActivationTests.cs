using System;
using System.Collections.Generic;
using Cortex.Diagnostics;
using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Layers;

[TestFixture]
public sealed class ActivationTests
{
    public static IEnumerable<Activation> All() => Catalog.ActivationsWithParameters;

    private static readonly float[] Points = { -1000f, -50f, -20f, -3f, -1f, -0.5f, -1e-3f, 0f, 1e-3f, 0.5f, 1f, 3f, 20f, 50f, 1000f };

    [TestCaseSource(nameof(All))]
    public void KernelMatchesTheTable(Activation activation)
    {
        if (activation.IsRowWise) Assert.Pass("Softmax is row-wise; covered by SoftmaxRowsSumToOneAndMatchReference.");
        int n = Points.Length;
        float[] z = (float[])Points.Clone(), y = new float[n], dY = new float[n], dZ = new float[n];
        Array.Fill(dY, 1f);
        ActivationKernels.BiasActivationForward(y, z, default, activation, 1, n);
        ActivationKernels.Backward(dZ, dY, z, y, activation, 1, n);
        for (int i = 0; i < n; i++)
        {
            double expected = ActivationFunctions.Forward(activation, Points[i]);
            double derivative = ActivationFunctions.Derivative(activation, Points[i], expected);
            Assert.That(float.IsFinite(y[i]) && float.IsFinite(dZ[i]), Is.True, $"{activation} at {Points[i]}: y {y[i]}, dz {dZ[i]}");
            Assert.That(y[i], Is.EqualTo(expected).Within(1e-6 + 1e-6 * Math.Abs(expected)), $"{activation}({Points[i]})");
            Assert.That(dZ[i], Is.EqualTo(derivative).Within(1e-6 + 1e-5 * Math.Abs(derivative)), $"{activation}'({Points[i]})");
        }
    }

    [Test]
    public void EveryKindIsInTheCatalogTheTableAndTheOracle()
    {
        // Adding a kind without its struct, its oracle graph or its place in the exhaustive tests fails here.
        foreach (ActivationKind kind in Enum.GetValues<ActivationKind>())
        {
            Assert.That(Activation.IsDefined(kind), Is.True, $"{kind}: Activation.IsDefined");
            Activation activation = Activation.FromKind(kind, kind switch { ActivationKind.LeakyRelu => 0.1f, ActivationKind.Elu => 1f, _ => 0f });
            Assert.That(Array.Exists(Catalog.Activations, a => a.Kind == kind), Is.True, $"{kind}: Tests/Catalog.cs Activations");
            Assert.That(Array.Exists(Catalog.ActivationsWithParameters, a => a.Kind == kind), Is.True, $"{kind}: Tests/Catalog.cs ActivationsWithParameters");
            var graph = new Cortex.Autodiff.Graph();
            Assert.That(GraphOf.Activation(graph, activation, graph.Constant(new Cortex.Autodiff.Matrix(1, 2))).Cols, Is.EqualTo(2), $"{kind}: GraphOf");
            if (!activation.IsRowWise) Assert.That(double.IsFinite(ActivationFunctions.Forward(activation, 0.5)), Is.True, $"{kind}: ActivationFunctions");
        }
        Assert.That(Activation.IsDefined((ActivationKind)200), Is.False);
        Assert.Throws<ArgumentOutOfRangeException>(() => Activation.FromKind((ActivationKind)200, 0f));
    }

    [Test]
    public void TableValuesAreTheNotes()
    {
        Assert.That(ActivationFunctions.Forward(Activation.Swish, 0), Is.EqualTo(0));
        Assert.That(ActivationFunctions.Derivative(Activation.Swish, 0, 0), Is.EqualTo(0.5), "swish'(0) = sigma(0)");
        Assert.That(ActivationFunctions.Forward(Activation.Swish, 1), Is.EqualTo(1 / (1 + Math.Exp(-1))).Within(1e-15));
        Assert.That(ActivationFunctions.Derivative(Activation.Swish, -2, ActivationFunctions.Forward(Activation.Swish, -2)),
            Is.EqualTo(1 / (1 + Math.Exp(2)) + -2 * (1 / (1 + Math.Exp(2))) * (1 - 1 / (1 + Math.Exp(2)))).Within(1e-15), "sigma + x sigma (1 - sigma)");
        Assert.That(ActivationFunctions.Forward(Activation.Swish, double.NegativeInfinity), Is.EqualTo(0), "the limit, not -inf * 0");
        Assert.That(ActivationFunctions.Forward(Activation.Sigmoid, 0), Is.EqualTo(0.5));
        Assert.That(ActivationFunctions.Derivative(Activation.Sigmoid, 0, 0.5), Is.EqualTo(0.25));
        Assert.That(ActivationFunctions.Derivative(Activation.Tanh, 0, 0), Is.EqualTo(1));
        Assert.That(ActivationFunctions.Forward(Activation.BinaryStep, 0), Is.EqualTo(1), "step is 1 from 0 on");
        Assert.That(ActivationFunctions.Derivative(Activation.BinaryStep, 0, 1), Is.EqualTo(0), "step derivative taken as 0 at 0");
        Assert.That(ActivationFunctions.Derivative(Activation.Relu, 0, 0), Is.EqualTo(0), "ReLU derivative taken as 0 at 0");
        Assert.That(ActivationFunctions.Forward(Activation.LeakyRelu, -2), Is.EqualTo(-0.02).Within(1e-9));
        Assert.That(ActivationFunctions.Derivative(Activation.LeakyRelu, 0, 0), Is.EqualTo(1), "the notes: 1 for x >= 0");
        Assert.That(ActivationFunctions.Derivative(Activation.Elu, 0, 0), Is.EqualTo(1), "the notes: 1 at 0 when alpha = 1");
        Assert.That(ActivationFunctions.Forward(Activation.EluWithAlpha(0.5f), -1), Is.EqualTo(0.5 * (Math.Exp(-1) - 1)).Within(1e-9));
        Assert.That(ActivationFunctions.Forward(Activation.Softplus, 0), Is.EqualTo(Math.Log(2)).Within(1e-15));
        Assert.That(ActivationFunctions.Forward(Activation.Softplus, 1000), Is.EqualTo(1000));
        Assert.That(ActivationFunctions.Forward(Activation.Softplus, -1000), Is.EqualTo(0));
    }

    [Test]
    public void SoftmaxRowsSumToOneAndMatchReference()
    {
        float[] z = { -1000f, 0f, 1000f, 1f, 2f, 3f }, y = new float[6];
        ActivationKernels.BiasActivationForward(y, (float[])z.Clone(), default, Activation.Softmax, 2, 3);
        Assert.That(y[0] + y[1] + y[2], Is.EqualTo(1f).Within(1e-6));
        Assert.That(y[2], Is.EqualTo(1f));
        double[] expected = new double[3];
        ActivationFunctions.Softmax.Row(expected, new double[] { 1, 2, 3 });
        for (int k = 0; k < 3; k++) Assert.That(y[3 + k], Is.EqualTo(expected[k]).Within(1e-6));
    }

    [TestCaseSource(nameof(All))]
    public void BackwardIsFiniteAtPlusMinus1000(Activation activation)
    {
        float[] z = { -1000f, 1000f, -1000f, 1000f }, y = new float[4], dY = { 1f, 1f, 1f, 1f }, dZ = new float[4];
        ActivationKernels.BiasActivationForward(y, z, default, activation, 2, 2);
        ActivationKernels.Backward(dZ, dY, z, y, activation, 2, 2);
        Assert.That(Array.TrueForAll(y, float.IsFinite) && Array.TrueForAll(dZ, float.IsFinite), Is.True, $"y {string.Join(",", y)} dz {string.Join(",", dZ)}");
    }

    [TestCaseSource(nameof(All))]
    public void BackwardMatchesFiniteDifferences(Activation activation)
    {
        foreach (int size in new[] { 1, 3, 17 })
        {
            GradientCheckReport report = GradientCheck.Activation(activation, size, Math.Max(size, activation.IsRowWise ? 2 : 1), seed: (ulong)size);
            Assert.That(report.Passed, Is.True, report.ToString());
        }
    }

    [Test]
    public void BiasIsAddedPerColumn()
    {
        float[] z = { 1, 2, 3, 4 }, y = new float[4];
        ActivationKernels.BiasActivationForward(y, z, new float[] { 10, 20 }, Activation.Relu, 2, 2);
        Assert.That(y, Is.EqualTo(new float[] { 11, 22, 13, 24 }));
        Assert.That(z, Is.EqualTo(new float[] { 11, 22, 13, 24 }), "z keeps the pre-activation");
    }

    [Test]
    public void ThrowsOnShortOrMismatchedSpans()
    {
        var e = Assert.Throws<ArgumentException>(() => ActivationKernels.BiasActivationForward(new float[3], new float[4], default, Activation.Tanh, 2, 2));
        Assert.That(e!.ParamName, Is.EqualTo("y"));
        Assert.That(e.Message, Does.Contain("3").And.Contain("4"));
        e = Assert.Throws<ArgumentException>(() => ActivationKernels.BiasActivationForward(new float[4], new float[4], new float[3], Activation.Tanh, 2, 2));
        Assert.That(e!.ParamName, Is.EqualTo("bias"));
        e = Assert.Throws<ArgumentException>(() => ActivationKernels.Backward(new float[4], new float[2], new float[4], new float[4], Activation.Tanh, 2, 2));
        Assert.That(e!.ParamName, Is.EqualTo("dY"));
    }

    [Test]
    public void RejectsBadParameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Activation.LeakyReluWithSlope(1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Activation.LeakyReluWithSlope(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Activation.EluWithAlpha(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => Activation.FromKind((ActivationKind)99, 0f));
    }
}
