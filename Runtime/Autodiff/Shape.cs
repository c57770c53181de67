using System;
using System.Globalization;

namespace Cortex.Autodiff;

/// <summary>
/// The shape of a value in the graph: (rows, columns), row-major. A scalar is (1, 1); a vector is
/// one row (1, n) or one column (n, 1). Every dimension is at least 1.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    /// <summary>Creates a shape.</summary>
    /// <param name="rows">Number of rows, at least 1.</param>
    /// <param name="cols">Number of columns, at least 1.</param>
    /// <exception cref="ArgumentException">A dimension is below 1.</exception>
    public Shape(int rows, int cols)
    {
        if (rows < 1 || cols < 1)
        {
            throw new ArgumentException(
                string.Format(CultureInfo.InvariantCulture, "shape: ({0}, {1}) has a dimension below 1", rows, cols));
        }
        Rows = rows;
        Cols = cols;
    }

    /// <summary>The (1, 1) shape of a scalar.</summary>
    public static Shape Scalar => new(1, 1);

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>Number of elements, <see cref="Rows"/> × <see cref="Cols"/>.</summary>
    public int Length => Rows * Cols;

    /// <summary>True for (1, 1).</summary>
    public bool IsScalar => Rows == 1 && Cols == 1;

    /// <summary>True when both shapes have the same rows and columns.</summary>
    /// <param name="other">The shape to compare with.</param>
    public bool Equals(Shape other) => Rows == other.Rows && Cols == other.Cols;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Shape other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (Rows * 397) ^ Cols;

    /// <summary>Formats the shape as "(rows, cols)", e.g. "(2, 3)".</summary>
    public override string ToString() => string.Format(CultureInfo.InvariantCulture, "({0}, {1})", Rows, Cols);

    /// <summary>True when both shapes are equal.</summary>
    /// <param name="left">First shape.</param>
    /// <param name="right">Second shape.</param>
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);

    /// <summary>True when the shapes differ.</summary>
    /// <param name="left">First shape.</param>
    /// <param name="right">Second shape.</param>
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);
}
