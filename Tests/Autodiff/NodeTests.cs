using System;
using Cortex.Autodiff;
using NUnit.Framework;

namespace Cortex.Tests.Autodiff;

[TestFixture]
public sealed class NodeTests
{
    [Test]
    public void OperatorsWithConstantsBuildTheSameGraphOps()
    {
        var g = new Graph();
        Node x = g.Variable(3);
        Assert.That((x + 1).Value, Is.EqualTo(4));
        Assert.That((1 + x).Value, Is.EqualTo(4));
        Assert.That((x - 1).Value, Is.EqualTo(2));
        Assert.That((1 - x).Value, Is.EqualTo(-2));
        Assert.That((x * 2).Value, Is.EqualTo(6));
        Assert.That((2 * x).Value, Is.EqualTo(6));
        Assert.That((x / 2).Value, Is.EqualTo(1.5));
        Assert.That((6 / x).Value, Is.EqualTo(2));
        Assert.That((-x).Value, Is.EqualTo(-3));
        Node y = 6 / x;
        g.Backward(y);
        Assert.That(x.Gradient, Is.EqualTo(-6.0 / 9).Within(1e-15));
    }

    [Test]
    public void ScalarAccessorsRejectMatrices()
    {
        var g = new Graph();
        Node m = g.Variable(new Matrix(2, 2));
        Assert.That(() => m.Value, Throws.InvalidOperationException.With.Message.Contains("(2, 2) is not a scalar"));
        Assert.That(() => m.GradientAt(4), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(m.IsVariable, Is.True);
        Assert.That(m.ToString(), Does.Contain("(2, 2)"));
    }

    [Test]
    public void TangentsFlowFromVariablesThroughOps()
    {
        var g = new Graph();
        Node x = g.Variable(new Matrix(new[] { 1.0, 2 }, 1, 2), new Matrix(new[] { 1.0, -1 }, 1, 2));
        Node y = g.Exp(x);
        Assert.That(y.Tangents().ToArray(), Is.EqualTo(new[] { Math.Exp(1), -Math.Exp(2) }).Within(1e-15));
        Assert.That(g.Constant(5).Tangent, Is.EqualTo(0));
    }
}
