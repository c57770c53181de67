using Cortex.Autodiff;
using NUnit.Framework;

namespace Cortex.Tests.Autodiff;

[TestFixture]
public sealed class MatrixTests
{
    [Test]
    public void IsRowMajorAndCopiesItsInput()
    {
        double[] values = { 1, 2, 3, 4, 5, 6 };
        var m = new Matrix(values, 2, 3);
        values[0] = 99;
        Assert.That(m[0, 0], Is.EqualTo(1));
        Assert.That(m[1, 0], Is.EqualTo(4));
        Assert.That(m[5], Is.EqualTo(6));
        Assert.That(m.Shape, Is.EqualTo(new Shape(2, 3)));
        Assert.That(m.ToString(), Is.EqualTo("(2, 3) [1, 2, 3, 4, 5, 6]"));
    }

    [Test]
    public void ConvertsToAndFromSingle()
    {
        float[] values = { 0.5f, -1.25f };
        Matrix m = Matrix.FromSingle(values, 1, 2);
        Assert.That(m.ToArray(), Is.EqualTo(new[] { 0.5, -1.25 }));
        var back = new float[2];
        m.CopyTo(back);
        Assert.That(back, Is.EqualTo(values));
    }

    [Test]
    public void WrongSizesThrow()
    {
        Assert.That(() => new Matrix(new double[5], 2, 3),
            Throws.ArgumentException.With.Message.StartsWith("matrix: 5 values do not fill shape (2, 3)"));
        Assert.That(() => new Matrix(0, 3), Throws.ArgumentException);
        Assert.That(() => new Matrix(2, 3)[2, 0], Throws.InstanceOf<System.ArgumentOutOfRangeException>());
        Assert.That(() => new Matrix(2, 3).CopyTo(new float[5]), Throws.ArgumentException);
    }
}
