using Cortex.Autodiff;
using NUnit.Framework;

namespace Cortex.Tests.Autodiff;

[TestFixture]
public sealed class ShapeTests
{
    [Test]
    public void FormatsAndCompares()
    {
        var s = new Shape(2, 3);
        Assert.That(s.ToString(), Is.EqualTo("(2, 3)"));
        Assert.That(s.Length, Is.EqualTo(6));
        Assert.That(s == new Shape(2, 3), Is.True);
        Assert.That(s != new Shape(3, 2), Is.True);
        Assert.That(Shape.Scalar.IsScalar, Is.True);
        Assert.That(s.IsScalar, Is.False);
    }

    [Test]
    public void RejectsDimensionsBelowOne() =>
        Assert.That(() => new Shape(1, 0), Throws.ArgumentException.With.Message.StartsWith("shape: (1, 0)"));
}
