using System;

namespace Cortex.Layers;

/// <summary>
/// How far gradients flow back through time. The first <see cref="BurnIn"/> steps of a stored sequence only
/// recompute the hidden state (no gradient reaches them or flows out of them); the remaining steps are cut into
/// windows of <see cref="Window"/> steps, and no gradient crosses a window's start. Window 0 means one window.
/// </summary>
public readonly struct TruncatedBptt : IEquatable<TruncatedBptt>
{
    /// <summary>Creates the truncation.</summary>
    /// <param name="window">Steps per window, 0 for unlimited.</param>
    /// <param name="burnIn">Steps at the start that only recompute the state.</param>
    public TruncatedBptt(int window, int burnIn = 0)
    {
        if (window < 0) throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be non-negative (0 for unlimited).");
        if (burnIn < 0) throw new ArgumentOutOfRangeException(nameof(burnIn), burnIn, "The burn-in must be non-negative.");
        Window = window;
        BurnIn = burnIn;
    }

    /// <summary>Full backpropagation through time: one window, no burn-in.</summary>
    public static TruncatedBptt Full => default;

    /// <summary>Steps per window; 0 for unlimited.</summary>
    public int Window { get; }

    /// <summary>Steps at the start of a sequence run without gradient.</summary>
    public int BurnIn { get; }

    /// <inheritdoc />
    public bool Equals(TruncatedBptt other) => Window == other.Window && BurnIn == other.BurnIn;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TruncatedBptt other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Window * 397 ^ BurnIn;

    /// <summary>Equality.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(TruncatedBptt left, TruncatedBptt right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">One.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(TruncatedBptt left, TruncatedBptt right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => $"TruncatedBptt(window {(Window == 0 ? "unlimited" : Window.ToString(System.Globalization.CultureInfo.InvariantCulture))}, burn-in {BurnIn})";
}
