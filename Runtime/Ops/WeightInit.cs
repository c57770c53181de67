namespace Cortex;

/// <summary>How a dense layer's weights are drawn (biases start at 0).</summary>
public enum WeightInit : byte
{
    /// <summary>He for the ReLU family, ELU and Swish, Xavier/Glorot uniform for the rest.</summary>
    Auto = 0,
    /// <summary>Glorot: U(−a, a), a = √(6 / (fanIn + fanOut)). Suits tanh, sigmoid, linear.</summary>
    XavierUniform = 1,
    /// <summary>Glorot: N(0, 2 / (fanIn + fanOut)).</summary>
    XavierNormal = 2,
    /// <summary>He: U(−a, a), a = √(6 / fanIn). Suits ReLU.</summary>
    HeUniform = 3,
    /// <summary>He: N(0, 2 / fanIn).</summary>
    HeNormal = 4,
}
