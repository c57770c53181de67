namespace Cortex.Autodiff;

/// <summary>A full Jacobian and what it cost: how many passes and op evaluations each mode needed.</summary>
public sealed class JacobianResult
{
    internal JacobianResult(Matrix value, Matrix jacobian, int forwardPasses, int reversePasses,
        long forwardEvaluations, long backwardEvaluations)
    {
        Value = value;
        Jacobian = jacobian;
        ForwardPasses = forwardPasses;
        ReversePasses = reversePasses;
        ForwardEvaluations = forwardEvaluations;
        BackwardEvaluations = backwardEvaluations;
    }

    /// <summary>The function's value f(x).</summary>
    public Matrix Value { get; }

    /// <summary>
    /// ∂f/∂x in numerator layout, (outputs, inputs): row i is output element i (row-major), column j
    /// is input element j, counting through the inputs in order, each row-major.
    /// </summary>
    public Matrix Jacobian { get; }

    /// <summary>Forward (primal, or primal + tangent) passes: one per input element in forward mode, one in reverse mode.</summary>
    public int ForwardPasses { get; }

    /// <summary>Reverse (adjoint) passes: none in forward mode, one per output element in reverse mode.</summary>
    public int ReversePasses { get; }

    /// <summary>Op nodes evaluated forward, over all forward passes.</summary>
    public long ForwardEvaluations { get; }

    /// <summary>Op nodes whose backward rule ran, over all reverse passes.</summary>
    public long BackwardEvaluations { get; }
}
