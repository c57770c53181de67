using System;
using System.Globalization;
using System.Text;

namespace Cortex.Autodiff;

/// <summary>
/// A dense row-major block of doubles with a <see cref="Shape"/>: the values, tangents, seeds and
/// gradients that go into and come out of the autodiff helpers. A scalar is (1, 1).
/// </summary>
public sealed class Matrix
{
    private readonly double[] _data;

    /// <summary>Creates a matrix of zeros.</summary>
    /// <param name="rows">Number of rows, at least 1.</param>
    /// <param name="cols">Number of columns, at least 1.</param>
    public Matrix(int rows, int cols)
    {
        Shape = new Shape(rows, cols);
        _data = new double[Shape.Length];
    }

    /// <summary>Creates a matrix holding a copy of <paramref name="values"/> (row-major).</summary>
    /// <param name="values">Row-major values; exactly <paramref name="rows"/> × <paramref name="cols"/> of them.</param>
    /// <param name="rows">Number of rows, at least 1.</param>
    /// <param name="cols">Number of columns, at least 1.</param>
    /// <exception cref="ArgumentException">The number of values does not match the shape.</exception>
    public Matrix(ReadOnlySpan<double> values, int rows, int cols)
        : this(rows, cols)
    {
        CheckLength(values.Length, nameof(values));
        values.CopyTo(_data);
    }

    /// <summary>A (1, 1) matrix holding <paramref name="value"/>.</summary>
    /// <param name="value">The scalar.</param>
    public static Matrix Scalar(double value) => new(new[] { value }, 1, 1);

    /// <summary>Single-precision convenience: a matrix holding <paramref name="values"/> widened to double.</summary>
    /// <param name="values">Row-major values; exactly <paramref name="rows"/> × <paramref name="cols"/> of them.</param>
    /// <param name="rows">Number of rows, at least 1.</param>
    /// <param name="cols">Number of columns, at least 1.</param>
    /// <exception cref="ArgumentException">The number of values does not match the shape.</exception>
    public static Matrix FromSingle(ReadOnlySpan<float> values, int rows, int cols)
    {
        var m = new Matrix(rows, cols);
        m.CheckLength(values.Length, nameof(values));
        for (int i = 0; i < values.Length; i++)
        {
            m._data[i] = values[i];
        }
        return m;
    }

    /// <summary>The shape (rows, columns).</summary>
    public Shape Shape { get; }

    /// <summary>Number of rows.</summary>
    public int Rows => Shape.Rows;

    /// <summary>Number of columns.</summary>
    public int Cols => Shape.Cols;

    /// <summary>Number of elements.</summary>
    public int Length => _data.Length;

    /// <summary>The element at a row-major <paramref name="index"/>.</summary>
    /// <param name="index">Row-major index, 0 ≤ index &lt; <see cref="Length"/>.</param>
    public double this[int index]
    {
        get => _data[index];
        set => _data[index] = value;
    }

    /// <summary>The element at (<paramref name="row"/>, <paramref name="col"/>).</summary>
    /// <param name="row">Row index.</param>
    /// <param name="col">Column index.</param>
    public double this[int row, int col]
    {
        get => _data[Index(row, col)];
        set => _data[Index(row, col)] = value;
    }

    /// <summary>The elements, row-major, as a writable span over this matrix's storage.</summary>
    public Span<double> AsSpan() => _data;

    /// <summary>A new array with a copy of the elements, row-major.</summary>
    public double[] ToArray() => (double[])_data.Clone();

    /// <summary>Single-precision convenience: copies the elements, narrowed to float, into <paramref name="destination"/>.</summary>
    /// <param name="destination">Receives <see cref="Length"/> floats.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < _data.Length)
        {
            throw new ArgumentException(
                string.Format(CultureInfo.InvariantCulture, "copy: destination has {0} elements, matrix {1} needs {2}",
                    destination.Length, Shape, _data.Length),
                nameof(destination));
        }
        for (int i = 0; i < _data.Length; i++)
        {
            destination[i] = (float)_data[i];
        }
    }

    /// <summary>Formats the shape and the first elements, e.g. "(2, 3) [1, 2, 3, 4, …]".</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Shape).Append(" [");
        int shown = Math.Min(_data.Length, 8);
        for (int i = 0; i < shown; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }
            text.Append(_data[i].ToString("G6", CultureInfo.InvariantCulture));
        }
        if (shown < _data.Length)
        {
            text.Append(", …");
        }
        return text.Append(']').ToString();
    }

    private int Index(int row, int col)
    {
        if ((uint)row >= (uint)Rows || (uint)col >= (uint)Cols)
        {
            throw new ArgumentOutOfRangeException(nameof(row),
                string.Format(CultureInfo.InvariantCulture, "({0}, {1}) is outside {2}", row, col, Shape));
        }
        return row * Cols + col;
    }

    private void CheckLength(int length, string parameter)
    {
        if (length != _data.Length)
        {
            throw new ArgumentException(
                string.Format(CultureInfo.InvariantCulture, "matrix: {0} values do not fill shape {1} ({2} elements)",
                    length, Shape, _data.Length),
                parameter);
        }
    }
}
