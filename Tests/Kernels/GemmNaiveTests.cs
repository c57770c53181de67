using Cortex.Kernels;
using NUnit.Framework;

namespace Cortex.Tests.Kernels;

[TestFixture]
public sealed class GemmNaiveTests
{
    [Test]
    public void MultipliesTwoByTwo()
    {
        float[] a = { 1, 2, 3, 4 }, b = { 5, 6, 7, 8 }, c = new float[4];
        GemmNaive.Multiply(c, a, b, 2, 2, 2, false, false, false);
        Assert.That(c, Is.EqualTo(new float[] { 19, 22, 43, 50 }));
    }
}
