module.exports = { ...require('../../jest.preset.js'), displayName: 'onnx', testEnvironment: '<rootDir>/test/onnx-environment.js' };
