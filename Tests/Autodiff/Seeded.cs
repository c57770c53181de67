using System;
using Cortex.Autodiff;

namespace Cortex.Tests.Autodiff;

/// <summary>Seeded test data: every matrix comes from <c>new Random(seed)</c>.</summary>
internal static class Seeded
{
    public static Matrix Uniform(int seed, int rows, int cols, double low = -2, double high = 2)
    {
        var random = new Random(seed);
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = low + (high - low) * random.NextDouble();
        }
        return m;
    }

    /// <summary>Random sign, magnitude in [min, max]: keeps points away from kinks and poles at 0.</summary>
    public static Matrix AwayFromZero(int seed, int rows, int cols, double min = 0.1, double max = 2)
    {
        var random = new Random(seed);
        var m = new Matrix(rows, cols);
        for (int i = 0; i < m.Length; i++)
        {
            double magnitude = min + (max - min) * random.NextDouble();
            m[i] = random.Next(2) == 0 ? -magnitude : magnitude;
        }
        return m;
    }

    public static Matrix Plus(Matrix a, Matrix b)
    {
        var m = new Matrix(a.Rows, a.Cols);
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = a[i] + b[i];
        }
        return m;
    }

    public static Matrix Scaled(Matrix a, double factor)
    {
        var m = new Matrix(a.Rows, a.Cols);
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = a[i] * factor;
        }
        return m;
    }
}
