using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// Where a micro-kernel finds the MR values of op(a) it broadcasts at each k step: row r's value at a + <see cref="Offset"/>(r),
/// then a moves on by <see cref="Step"/>. A struct, so each kernel is specialised on its addressing.
/// </summary>
internal interface ITileRows
{
    /// <summary>Offset of row <paramref name="row"/>'s value from the current position.</summary>
    /// <param name="row">Row of the tile.</param>
    nint Offset(int row);

    /// <summary>How far the position moves per k step.</summary>
    nint Step { get; }
}

/// <summary>A packed panel (<see cref="GemmPack.PackA"/>): the rows' values side by side, one panel height per k step.</summary>
internal readonly struct PackedRows : ITileRows
{
    private readonly nint _height;

    /// <summary>A panel of <paramref name="height"/> rows.</summary>
    /// <param name="height">MR.</param>
    public PackedRows(int height) => _height = height;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint Offset(int row) => row;

    /// <inheritdoc/>
    public nint Step
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _height;
    }
}

/// <summary>Rows of a row-major matrix read where they lie (nothing packed): row r at r·stride, one float per k step.</summary>
internal readonly struct SourceRows : ITileRows
{
    private readonly nint _stride;

    /// <summary>Rows <paramref name="stride"/> floats apart.</summary>
    /// <param name="stride">The matrix's row length.</param>
    public SourceRows(nint stride) => _stride = stride;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public nint Offset(int row) => row * _stride;

    /// <inheritdoc/>
    public nint Step
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 1;
    }
}
