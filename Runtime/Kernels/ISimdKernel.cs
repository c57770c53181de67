namespace Cortex.Kernels;

/// <summary>
/// A kernel written once over <see cref="ISimdOps{TV}"/>, as a struct holding its operands, so that
/// <see cref="SimdDispatch.Run{TKernel}"/> can instantiate it for an instruction set.
/// </summary>
internal interface ISimdKernel
{
    /// <summary>
    /// Runs the kernel with <typeparamref name="TO"/> registers for the body, <typeparamref name="TN"/> (narrower, same
    /// kind of multiply-add) for what is left of a row, and <typeparamref name="TS"/> (one float, same kind of
    /// multiply-add) for the last elements, so that every element sees the same operations wherever it sits.
    /// </summary>
    /// <typeparam name="TO">The widest register operations.</typeparam>
    /// <typeparam name="TV">Their register type.</typeparam>
    /// <typeparam name="TN">The next narrower register operations (the same as <typeparamref name="TO"/> when there is none).</typeparam>
    /// <typeparam name="TW">Their register type.</typeparam>
    /// <typeparam name="TS">One-float operations with the same multiply-add as <typeparamref name="TO"/>.</typeparam>
    void Run<TO, TV, TN, TW, TS>()
        where TO : struct, ISimdOps<TV> where TV : struct
        where TN : struct, ISimdOps<TW> where TW : struct
        where TS : struct, ISimdOps<float>;
}
