using System.Runtime.CompilerServices;

namespace Cortex.Kernels;

/// <summary>
/// What a GEMM does with a finished register of its output: store it (<see cref="NoEpilogue"/>), or add the bias and
/// apply the activation on the way out (<see cref="BiasActivationEpilogue{TF}"/>). A struct, so the drivers specialise
/// on it and the plain product keeps its own machine code.
/// </summary>
internal unsafe interface IGemmEpilogue
{
    /// <summary>Writes the finished value <paramref name="v"/> of c at <paramref name="c"/> (its columns start at <paramref name="bias"/>'s).</summary>
    /// <param name="c">Where the register's lanes belong in c (z).</param>
    /// <param name="bias">The bias of the same columns (not read when the epilogue has none).</param>
    /// <param name="v">The finished sum of the product (c's old value already added when accumulating).</param>
    void Store<TO, TV>(float* c, float* bias, TV v) where TO : struct, ISimdOps<TV> where TV : struct;
}

/// <summary>The plain product: c = v.</summary>
internal readonly unsafe struct NoEpilogue : IGemmEpilogue
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store<TO, TV>(float* c, float* bias, TV v) where TO : struct, ISimdOps<TV> where TV : struct => default(TO).Store(c, v);
}

/// <summary>
/// z = v + b (when there is a bias), then y = f(z), the operations of <see cref="ActivationKernels"/>' row kernel in the same
/// order: a lane's result is the bits the separate pass writes. c is z; y lies <c>yOffset</c> floats from it, or is z itself
/// (offset 0: inference, where z is not kept and only y is stored).
/// </summary>
/// <typeparam name="TF">The activation (element-wise; softmax runs a bias-only epilogue, then its row pass).</typeparam>
internal readonly unsafe struct BiasActivationEpilogue<TF> : IGemmEpilogue where TF : struct, ActivationFunctions.IElementwise
{
    private readonly nint _yOffset;
    private readonly bool _bias;
    private readonly TF _f;

    /// <summary>Creates the epilogue.</summary>
    /// <param name="yOffset">y − z in floats; 0 when y is z.</param>
    /// <param name="bias">Whether there is a bias to add.</param>
    /// <param name="f">The activation.</param>
    public BiasActivationEpilogue(nint yOffset, bool bias, TF f)
    {
        _yOffset = yOffset;
        _bias = bias;
        _f = f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store<TO, TV>(float* c, float* bias, TV v) where TO : struct, ISimdOps<TV> where TV : struct
    {
        TO o = default;
        TV z = _bias ? o.Add(v, o.Load(bias)) : v;
        if (_yOffset == 0)
        {
            o.Store(c, _f.Forward<TO, TV>(z));
            return;
        }
        o.Store(c, z);
        o.Store(c + _yOffset, _f.Forward<TO, TV>(z));
    }
}
