"""The catalog against the lecture's text: the numbers below are typed from the lecture
(../shared/seed/neural-networks-part-two.txt), each with the line it comes from, and
compared with what twinnet.expand computes from the catalog's specs."""

from __future__ import annotations

from typing import Any

import pytest

import twinnet


def layers_of(name: str) -> dict[str, dict[str, Any]]:
    return {layer["name"]: layer for layer in twinnet.expand(name)["layers"]}


def shape(layer: dict[str, Any]) -> list[int]:
    return layer["output_shape"][1:]


def test_feature_map_walk_through_has_the_lecture_s_shapes() -> None:
    layers = layers_of("feature_map_cnn")
    # l. 602: "layer 1 with 32 filters [...] The size of the output feature map is equal to 32 x 32 x 32."
    assert shape(layers["conv1"]) == [32, 32, 32]
    assert layers["conv1"]["config"]["filters"] == 32
    assert layers["conv1"]["config"]["strides"] == [1, 1]
    # l. 603: "a ReLU function is applied to the feature map."
    assert layers["conv1"]["config"]["activation"] == "relu"
    # l. 604: "This poling is a type of max poling. But I considered stride 2 [...] 16 x 16 x 32."
    assert layers["pool1"]["type"] == "MaxPooling2D"
    assert layers["pool1"]["config"]["strides"] == [2, 2]
    assert shape(layers["pool1"]) == [16, 16, 32]
    # l. 605: "the number of filters of the second convolutional layer to be 64.
    #          Max Pooling output feature map : 8 x 8 x 64"
    assert layers["conv2"]["config"]["filters"] == 64
    assert layers["conv2"]["config"]["activation"] == "relu"
    assert layers["pool2"]["type"] == "MaxPooling2D"
    assert shape(layers["pool2"]) == [8, 8, 64]
    # l. 606: "a convolutional layer with 128 filters is considered and the stride is 2. After the
    #          convolutional layer, I put an excitation function. [...] 4 x 4 x 128."
    assert layers["conv3"]["config"]["filters"] == 128
    assert layers["conv3"]["config"]["strides"] == [2, 2]
    assert layers["conv3"]["config"]["activation"] == "relu"
    assert shape(layers["conv3"]) == [4, 4, 128]
    # l. 607: "an average pooling layer with a size of 4 x 4. The output feature of this layer will be
    #          equal to 1 x 128. That is, the input image was transformed into a vector of length 128"
    assert layers["pool3"]["type"] == "AveragePooling2D"
    assert layers["pool3"]["config"]["pool_size"] == [4, 4]
    assert shape(layers["pool3"]) == [1, 1, 128]
    assert shape(layers["vector"]) == [128]
    assert twinnet.expand("feature_map_cnn")["outputs"] == ["vector"]


@pytest.mark.parametrize("name", ["lenet5", "lenet5_c3"])
def test_lenet5_has_the_lecture_s_shapes(name: str) -> None:
    layers = layers_of(name)
    # l. 753: "a 32 x 32 grayscale image [...] the first convolutional layer with 6 feature maps or filters
    #          having size 5 x 5 and a stride of one. The image dimensions change from 32 x 32 x 1 to 28 x 28 x 6."
    assert shape(layers["input"]) == [32, 32, 1]
    assert layers["c1"]["config"]["kernel_size"] == [5, 5]
    assert layers["c1"]["config"]["strides"] == [1, 1]
    assert shape(layers["c1"]) == [28, 28, 6]
    # l. 762: "average pooling layer or sub-sampling layer with a filter size 2 x 2 and a stride of two.
    #          The resulting image dimensions will be reduced to 14 x 14 x 6."
    # l. 788: "The fourth layer (S4) is again an average pooling layer with filter size 2 x 2 and a stride
    #          of 2. [...] the output will be reduced to 5 x 5 x 16."
    for pool, out in (("s2", [14, 14, 6]), ("s4", [5, 5, 16])):
        assert layers[pool]["type"] == "AveragePooling2D"
        assert layers[pool]["config"]["pool_size"] == [2, 2]
        assert layers[pool]["config"]["strides"] == [2, 2]
        assert shape(layers[pool]) == out
    # l. 767: "a second convolutional layer with 16 feature maps having size 5 x 5 and a stride of 1."
    assert shape(layers["c3"]) == [10, 10, 16]
    # l. 792-796: "C5 [...] 120 feature maps each of size 1 x 1 [...] (400 x 120) + 120 = 48120"
    assert shape(layers["c5"]) == [1, 1, 120]
    assert layers["c5"]["params"] == 48120
    # l. 800, 812: "a fully connected layer (F6) with 84 units", "(120 x 84) + 84 = 10164"
    assert shape(layers["f6"]) == [84]
    assert layers["f6"]["params"] == 10164
    # l. 816: "a fully connected softmax output layer [...] with 10 possible values"
    assert shape(layers["output"]) == [10]
    assert layers["output"]["config"]["activation"] == "softmax"


def test_lenet5_c3_has_the_lecture_s_1516_parameters() -> None:
    # l. 767: "That's why the number of training parameters in this layers are 1516 instead of 2400"
    layers = layers_of("lenet5_c3")
    c3 = [layer for name, layer in layers.items() if name.startswith("map") and name.endswith("_conv")]
    assert len(c3) == 16
    assert sum(layer["params"] for layer in c3) == 1516


def test_comments_stay_out_of_the_expansion_and_the_code() -> None:
    doc = twinnet.load_spec("feature_map_cnn").data
    comments = [layer["comment"] for layer in doc["layers"] if "comment" in layer]
    assert len(comments) == len(doc["layers"])
    graph = twinnet.expand(doc)
    assert all("comment" not in layer for layer in graph["layers"])
    for language in ("python", "r"):
        code = twinnet.to_code(doc, language)
        assert not any(comment in code for comment in comments)
