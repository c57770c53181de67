using System;

namespace Cortex;

/// <summary>
/// Losses used only to measure, never to train. The 0-1 loss is piecewise constant: its gradient is
/// 0 almost everywhere and undefined at the jumps, so it is deliberately not a <see cref="Loss"/>.
/// </summary>
public static class Metrics
{
    /// <summary>
    /// The 0-1 loss: the share of rows whose predicted class differs from the target's. With several
    /// outputs the class is the argmax of a row (first on ties); with one output it is 1 when the value
    /// is ≥ <paramref name="threshold"/>, else 0.
    /// </summary>
    /// <param name="outputs">(rows, columns) predictions.</param>
    /// <param name="targets">(rows, columns) targets (one-hot rows, or 0/1 for one output).</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Outputs per row.</param>
    /// <param name="threshold">Decision threshold for a single output (0.5 suits sigmoid outputs).</param>
    public static float ZeroOneLoss(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int rows, int columns, float threshold = 0.5f)
    {
        if (rows == 0) return 0f;
        return (float)CountMisclassified(outputs, targets, rows, columns, threshold) / rows;
    }

    /// <summary>1 − <see cref="ZeroOneLoss"/>: the share of rows classified correctly.</summary>
    /// <param name="outputs">(rows, columns) predictions.</param>
    /// <param name="targets">(rows, columns) targets.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Outputs per row.</param>
    /// <param name="threshold">Decision threshold for a single output.</param>
    public static float Accuracy(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int rows, int columns, float threshold = 0.5f) =>
        1f - ZeroOneLoss(outputs, targets, rows, columns, threshold);

    /// <summary>Number of misclassified rows (see <see cref="ZeroOneLoss"/>).</summary>
    /// <param name="outputs">(rows, columns) predictions.</param>
    /// <param name="targets">(rows, columns) targets.</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="columns">Outputs per row.</param>
    /// <param name="threshold">Decision threshold for a single output.</param>
    public static int CountMisclassified(ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int rows, int columns, float threshold = 0.5f)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be non-negative.");
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "columns must be at least 1.");
        long need = (long)rows * columns;
        if (outputs.Length < need) throw new ArgumentException($"outputs holds {outputs.Length} values but rows*columns = {rows}*{columns} = {need} are needed.", nameof(outputs));
        if (targets.Length < need) throw new ArgumentException($"targets holds {targets.Length} values but rows*columns = {rows}*{columns} = {need} are needed.", nameof(targets));
        int wrong = 0;
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> y = outputs.Slice(r * columns, columns), c = targets.Slice(r * columns, columns);
            bool correct = columns == 1
                ? (y[0] >= threshold) == (c[0] >= threshold)
                : ArgMax(y) == ArgMax(c);
            if (!correct) wrong++;
        }
        return wrong;
    }

    /// <summary>Index of the largest value in a row; the first one on ties.</summary>
    /// <param name="values">The row.</param>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty) throw new ArgumentException("ArgMax of an empty row.", nameof(values));
        int best = 0;
        for (int k = 1; k < values.Length; k++) if (values[k] > values[best]) best = k;
        return best;
    }

    /// <summary>One-hot rows (batch, classes) from class labels; a single output takes the label 0 or 1 itself.</summary>
    /// <param name="destination">At least labels.Length·classes floats; the first are overwritten.</param>
    /// <param name="labels">Class indices.</param>
    /// <param name="classes">Outputs per row.</param>
    /// <param name="name">The caller's name for the labels, used in errors.</param>
    internal static void FillOneHot(Span<float> destination, ReadOnlySpan<int> labels, int classes, string name)
    {
        destination.Slice(0, labels.Length * classes).Clear();
        for (int r = 0; r < labels.Length; r++)
        {
            int label = labels[r];
            if (classes == 1)
            {
                if (label is not (0 or 1)) throw new ArgumentOutOfRangeException(name, label, $"Label at row {r} must be 0 or 1 for a single-output brain.");
                destination[r] = label;
            }
            else
            {
                if ((uint)label >= (uint)classes) throw new ArgumentOutOfRangeException(name, label, $"Label at row {r} must lie in [0, {classes}).");
                destination[r * classes + label] = 1f;
            }
        }
    }
}
